// Copy to the clipboard with visible feedback. navigator.clipboard exists only in secure
// contexts, and a LAN forge is often plain http://192.168…: then a hidden textarea and
// execCommand('copy'), and if even that is refused, the text is selected for Ctrl+C.
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui';
import s from './Code.module.css';

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // permission refused: try the old way
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.top = '0';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** Selects an element's text so the user can copy it themselves. */
export function selectText(el: Element | null): void {
  if (!el) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

export function CopyButton({ text, label = 'Copy', what, selectOnFail }: { text: string; label?: string; what: string; selectOnFail?: () => Element | null }) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const onClick = async () => {
    const ok = await copyText(text);
    if (!ok) selectText(selectOnFail?.() ?? null);
    setState(ok ? 'copied' : 'manual');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 2000);
  };
  return (
    <Button small onClick={() => void onClick()} aria-label={`Copy ${what}`} title={`Copy ${what}`}>
      <span aria-live="polite" className={state === 'copied' ? s.copyDone : undefined}>
        {state === 'copied' ? '✓ Copied' : state === 'manual' ? 'Press Ctrl+C' : label}
      </span>
    </Button>
  );
}
