// Emoji reactions with Gitea's names, as every page that takes them shows them: one toggle per
// reaction given (pressed when yours, with the count), and a picker to add another. Someone who
// may not react sees the counts only. Issues, comments and posts all use it.
import { Popover } from 'radix-ui';
import { useState } from 'react';
import { cx } from './ui';
import s from './Reactions.module.css';

export const REACTIONS = ['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'] as const;
export type ReactionContent = (typeof REACTIONS)[number];

export const REACTION_EMOJI: Record<ReactionContent, string> = { '+1': '👍', '-1': '👎', laugh: '😄', hooray: '🎉', confused: '😕', heart: '❤️', rocket: '🚀', eyes: '👀' };
const REACTION_NAME: Record<ReactionContent, string> = {
  '+1': 'thumbs up',
  '-1': 'thumbs down',
  laugh: 'laugh',
  hooray: 'hooray',
  confused: 'confused',
  heart: 'heart',
  rocket: 'rocket',
  eyes: 'eyes',
};

export const isReaction = (c: string): c is ReactionContent => (REACTIONS as readonly string[]).includes(c);

/** One reaction as shown: how many gave it, whether you did, and who (when the server says). */
export interface ReactionCount {
  content: ReactionContent;
  count: number;
  mine: boolean;
  who?: readonly string[];
}

export function ReactionsBar({
  reactions,
  canReact,
  disabled,
  onToggle,
}: {
  reactions: readonly ReactionCount[];
  canReact: boolean;
  disabled?: boolean;
  onToggle: (content: ReactionContent, on: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const given = reactions.filter((r) => r.count > 0);
  if (!canReact && given.length === 0) return null;
  return (
    <div className={s.reactions} data-testid="reactions">
      {given.map((r) => {
        const names = r.who?.length ? ` (${r.who.join(', ')})` : '';
        return (
          <button
            key={r.content}
            type="button"
            className={cx(s.reaction, r.mine && s.reactionMine)}
            aria-pressed={r.mine}
            aria-label={`${REACTION_NAME[r.content]}: ${r.count}${names}`}
            title={r.who?.length ? `${r.who.join(', ')} reacted with ${REACTION_NAME[r.content]}` : `${r.count} reacted with ${REACTION_NAME[r.content]}`}
            disabled={!canReact || disabled}
            onClick={() => onToggle(r.content, !r.mine)}
            data-testid="reaction"
            data-content={r.content}
            data-count={r.count}
          >
            <span aria-hidden>{REACTION_EMOJI[r.content]}</span> <span aria-hidden>{r.count}</span>
          </button>
        );
      })}
      {canReact && !disabled && (
        <Popover.Root open={open} onOpenChange={setOpen}>
          <Popover.Trigger asChild>
            <button type="button" className={s.reactionAdd} aria-label="Add a reaction" data-testid="add-reaction">
              <span aria-hidden>☺+</span>
            </button>
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content className={s.reactionPicker} sideOffset={4} align="start" aria-label="Reactions">
              {REACTIONS.map((c) => {
                const on = given.some((r) => r.content === c && r.mine);
                return (
                  <button
                    key={c}
                    type="button"
                    aria-pressed={on}
                    aria-label={REACTION_NAME[c]}
                    title={REACTION_NAME[c]}
                    className={cx(s.reactionChoice, on && s.reactionMine)}
                    onClick={() => {
                      onToggle(c, !on);
                      setOpen(false);
                    }}
                    data-content={c}
                  >
                    {REACTION_EMOJI[c]}
                  </button>
                );
              })}
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
      )}
    </div>
  );
}
