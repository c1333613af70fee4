// The animated background and the cursor themes. Cheap by design: CSS animations for waves
// and aurora, one canvas for stars and drips at ~30 fps; everything stops while the tab is
// hidden and nothing animates under prefers-reduced-motion.
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useAppliedAppearance } from './state';
import s from './Backdrop.module.css';

const reducedQuery = typeof window !== 'undefined' ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;

function useReducedMotion(): boolean {
  return useSyncExternalStore(
    (l) => {
      reducedQuery?.addEventListener('change', l);
      return () => reducedQuery?.removeEventListener('change', l);
    },
    () => reducedQuery?.matches ?? false,
  );
}

function useTabVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

export function Backdrop() {
  const { background, cursor } = useAppliedAppearance();
  const reduced = useReducedMotion();
  const visible = useTabVisible();
  const running = visible && !reduced;
  return (
    <>
      {background !== 'none' && !reduced && (
        <div className={s.layer} data-testid="backdrop" data-kind={background} data-running={String(running)} aria-hidden>
          {background === 'waves' && (
            <>
              <div className={s.wave} />
              <div className={s.wave} />
              <div className={s.wave} />
            </>
          )}
          {background === 'aurora' && (
            <>
              <div className={s.blob} />
              <div className={s.blob} />
              <div className={s.blob} />
            </>
          )}
          {(background === 'stars' || background === 'drips') && <CanvasScene kind={background} running={running} />}
        </div>
      )}
      {(cursor === 'ring' || cursor === 'glow') && <CursorFollower kind={cursor} />}
    </>
  );
}

interface Particle {
  x: number;
  y: number;
  r: number;
  v: number;
  phase: number;
}

function CanvasScene({ kind, running }: { kind: 'stars' | 'drips'; running: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    let w = 0;
    let h = 0;
    const resize = () => {
      w = canvas.clientWidth;
      h = canvas.clientHeight;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    };
    resize();
    window.addEventListener('resize', resize);
    const accentH = Number(getComputedStyle(document.documentElement).getPropertyValue('--accent-h')) || 258;
    const count = kind === 'stars' ? Math.round((w * h) / 9000) : Math.round(w / 28);
    const parts: Particle[] = Array.from({ length: Math.min(count, 320) }, () => ({
      x: Math.random() * w,
      y: Math.random() * h,
      r: kind === 'stars' ? Math.random() * 1.3 + 0.3 : Math.random() * 1.5 + 1,
      v: kind === 'stars' ? Math.random() * 0.08 + 0.02 : Math.random() * 1.6 + 0.8,
      phase: Math.random() * Math.PI * 2,
    }));
    let frame = 0;
    let last = 0;
    const draw = (t: number) => {
      frame = requestAnimationFrame(draw);
      if (t - last < 33) return; // ~30 fps is plenty for a background
      last = t;
      ctx.clearRect(0, 0, w, h);
      for (const p of parts) {
        if (kind === 'stars') {
          p.x -= p.v;
          if (p.x < 0) p.x = w;
          const a = 0.35 + 0.35 * Math.sin(t / 900 + p.phase);
          ctx.fillStyle = `hsla(${accentH}, 70%, 85%, ${a})`;
          ctx.beginPath();
          ctx.arc(p.x, p.y, p.r, 0, Math.PI * 2);
          ctx.fill();
        } else {
          p.y += p.v;
          if (p.y > h + 40) {
            p.y = -40;
            p.x = Math.random() * w;
          }
          const grad = ctx.createLinearGradient(p.x, p.y - 36, p.x, p.y);
          grad.addColorStop(0, `hsla(${accentH}, 80%, 65%, 0)`);
          grad.addColorStop(1, `hsla(${accentH}, 80%, 70%, 0.45)`);
          ctx.fillStyle = grad;
          ctx.fillRect(p.x - p.r / 2, p.y - 36, p.r, 36);
        }
      }
    };
    if (running) frame = requestAnimationFrame(draw);
    else draw(performance.now()); // one still frame while paused
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', resize);
    };
  }, [kind, running]);
  return <canvas ref={ref} className={s.canvas} />;
}

function CursorFollower({ kind }: { kind: 'ring' | 'glow' }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || window.matchMedia('(pointer: coarse)').matches) return;
    let x = -500;
    let y = -500;
    let queued = 0;
    const move = (e: PointerEvent) => {
      x = e.clientX;
      y = e.clientY;
      if (!queued) {
        queued = requestAnimationFrame(() => {
          queued = 0;
          el.style.transform = `translate3d(${x}px, ${y}px, 0)`;
        });
      }
    };
    window.addEventListener('pointermove', move, { passive: true });
    return () => {
      window.removeEventListener('pointermove', move);
      cancelAnimationFrame(queued);
    };
  }, []);
  return <div ref={ref} className={`${s.follower} ${kind === 'ring' ? s.ring : s.glow}`} data-testid="cursor-follower" aria-hidden />;
}
