/** See render.mjs: the sample configuration with the given instances and listen address. */
export function renderSample(sample: string, upstreams: string[], listen: string): string;
