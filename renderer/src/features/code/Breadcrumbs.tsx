// repo / dir / dir / file, each part a link to that directory at the same ref.
import { Link } from '@tanstack/react-router';
import { Fragment } from 'react';
import type { RefKind } from './api';
import { srcSplat } from './paths';
import s from './Code.module.css';

export function Breadcrumbs({ owner, repo, kind, refName, path }: { owner: string; repo: string; kind: RefKind; refName: string; path: string }) {
  const parts = path ? path.split('/') : [];
  return (
    <nav className={s.crumbs} aria-label="Path">
      <Link to="/$owner/$repo/src/$" params={{ owner, repo, _splat: srcSplat(kind, refName) }}>
        {repo}
      </Link>
      {parts.map((part, i) => {
        const last = i === parts.length - 1;
        return (
          <Fragment key={i}>
            <span className={s.crumbSep} aria-hidden>
              /
            </span>
            {last ? (
              <span className={s.crumbHere} aria-current="page">
                {part}
              </span>
            ) : (
              <Link to="/$owner/$repo/src/$" params={{ owner, repo, _splat: srcSplat(kind, refName, parts.slice(0, i + 1).join('/')) }}>
                {part}
              </Link>
            )}
          </Fragment>
        );
      })}
    </nav>
  );
}
