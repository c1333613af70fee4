// A few line icons drawn inline (no icon font, no glyphs a system may lack).
import type { SVGProps } from 'react';

const base = { width: 14, height: 14, viewBox: '0 0 16 16', fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true } as const;

export function BranchIcon(p: SVGProps<SVGSVGElement>) {
  return (
    <svg {...base} {...p}>
      <circle cx="4.5" cy="3.5" r="1.8" />
      <circle cx="4.5" cy="12.5" r="1.8" />
      <circle cx="11.5" cy="5" r="1.8" />
      <path d="M4.5 5.3v5.4M11.5 6.8c0 2.6-3 2.6-6 4.2" />
    </svg>
  );
}

export function TagIcon(p: SVGProps<SVGSVGElement>) {
  return (
    <svg {...base} {...p}>
      <path d="M2 2.5v4.6l6.9 6.9 5.1-5.1L7.1 2H2.5z" />
      <circle cx="5" cy="5" r="1" />
    </svg>
  );
}

export function CommitIcon(p: SVGProps<SVGSVGElement>) {
  return (
    <svg {...base} {...p}>
      <circle cx="8" cy="8" r="2.6" />
      <path d="M1 8h4.4M10.6 8H15" />
    </svg>
  );
}
