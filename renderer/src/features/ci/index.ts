// The public surface of the CI feature for other pages: a commit's status icon (and the batch
// hook behind a page of them), and the job pieces the operator console shows.
export { StatusIcon, type StatusIconProps } from './StatusIcon';
export { useStatusSummaries, useAdminCi } from './api';
export { JobDuration, JobStateBadge, JobStateIcon, jobStateWord, formatDuration } from './bits';
export type { AdminCi, CiJob, JobState, StatusSummary } from './types';
