// Masks a repository's secrets in a job's output before it is stored or sent anywhere. Output
// arrives in arbitrary chunks, so a secret may be split between two of them: the tail that could
// still be the start of one is held back until the next chunk, a short pause, or the end.
export const MASK = '***';

export class SecretMasker {
  private pending = '';
  private readonly re: RegExp | null;
  private readonly hold: number;

  constructor(secrets: readonly string[]) {
    const all = new Set<string>();
    for (const v of secrets) {
      if (v === '') continue;
      all.add(v);
      // a multi-line secret (a key file) is also masked line by line, as tools print it that way
      if (v.includes('\n')) for (const line of v.split(/\r?\n/)) if (line.trim().length >= 8) all.add(line);
    }
    const list = [...all].sort((a, b) => b.length - a.length);
    this.re = list.length ? new RegExp(list.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
    this.hold = list.length ? list[0]!.length - 1 : 0;
  }

  get active(): boolean {
    return this.re !== null;
  }

  /** Text that is safe to pass on now; the rest waits for more output. */
  push(text: string): string {
    if (!this.re) return text;
    const all = this.pending + text;
    let cut = Math.max(0, all.length - this.hold);
    // a secret that starts before the cut is wholly inside `all` already: never split it
    this.re.lastIndex = 0;
    for (let m = this.re.exec(all); m; m = this.re.exec(all)) {
      if (m.index >= cut) break;
      if (m.index + m[0].length > cut) cut = m.index + m[0].length;
    }
    this.pending = all.slice(cut);
    return this.mask(all.slice(0, cut));
  }

  /** Everything held back (after a pause in the output, or at the end). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return this.mask(rest);
  }

  mask(text: string): string {
    if (!this.re || text === '') return text;
    this.re.lastIndex = 0;
    return text.replace(this.re, MASK);
  }
}
