// The public surface of the AI feature: the "Write message" button other features' forms embed.
export { AiSuggestButton, type AiSuggestButtonProps } from './AiSuggestButton';
export type { Suggestion, SuggestionKind } from './api';
