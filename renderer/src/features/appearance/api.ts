// Appearance: the choices, the signed-in user's look, saving it, and the instance default.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import type { Appearance } from '../../app/boot';
import { applyAppearance, readAppearance } from './state';

export interface AppearanceOptions {
  presets: string[];
  backgrounds: string[];
  cursors: string[];
  fonts: string[];
  default: Appearance;
}

export type MyAppearance = Appearance & { custom: boolean };

export function getAppearanceOptions(): Promise<AppearanceOptions> {
  return apiGet<AppearanceOptions>('/appearance/options');
}

export function useAppearanceOptions() {
  return useQuery({ queryKey: ['appearance', 'options'], queryFn: getAppearanceOptions, staleTime: Infinity });
}

export function getMyAppearance(): Promise<MyAppearance> {
  return apiGet<MyAppearance>('/user/appearance');
}

export function useMyAppearance() {
  return useQuery({ queryKey: ['appearance', 'mine'], queryFn: getMyAppearance });
}

export function saveAppearance(a: Appearance): Promise<MyAppearance> {
  return apiSend<MyAppearance>('PUT', '/user/appearance', a);
}

export function useSaveAppearance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: saveAppearance,
    // apply at once; put the previous look back if the server refuses
    onMutate: (a) => {
      const previous = readAppearance();
      applyAppearance(a);
      return { previous };
    },
    onError: (_err, _a, ctx) => {
      if (ctx) applyAppearance(ctx.previous);
    },
    onSuccess: (saved) => qc.setQueryData(['appearance', 'mine'], saved),
  });
}

export function resetAppearance(): Promise<void> {
  return apiSend('DELETE', '/user/appearance');
}

export function useResetAppearance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: resetAppearance,
    onSuccess: async () => {
      const opts = await qc.fetchQuery({ queryKey: ['appearance', 'options'], queryFn: getAppearanceOptions });
      applyAppearance(opts.default);
      await qc.invalidateQueries({ queryKey: ['appearance'] });
    },
  });
}

export function setInstanceDefault(a: Appearance): Promise<unknown> {
  return apiSend('PATCH', '/admin/settings', { 'ui.defaultAppearance': a });
}

export function useSetInstanceDefault() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: setInstanceDefault, onSuccess: () => qc.invalidateQueries({ queryKey: ['appearance', 'options'] }) });
}
