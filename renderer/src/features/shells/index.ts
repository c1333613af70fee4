// The public surface of the dev shells feature for other pages: the repository page's start
// button, the header's count, and what the operator console shows. The terminal (xterm) stays
// inside the shell page's own chunk.
export { DevShellButton, type DevShellButtonProps } from './StartShell';
export { useRunningShellCount, useAdminShells, useAdminStopShell, useShellOverrides, usePutOverride, useDeleteOverride } from './api';
export { ShellStateBadge, NETWORK_WORDS, age, limitsLine, mib, minutes } from './bits';
export { NETWORKS, type Shell, type ShellLimits, type ShellNetwork, type ShellOverride, type OverrideLimits } from './types';
