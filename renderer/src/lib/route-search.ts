// Search params shared by many pages, parsed once where the route is declared.

/** `?page=2&q=x&sort=…` as typed search params (bad values fall back to defaults). */
export const pageSearch = (search: Record<string, unknown>): { page?: number; q?: string; sort?: string } => {
  const page = Number(search.page);
  return {
    page: Number.isInteger(page) && page > 1 ? page : undefined,
    q: typeof search.q === 'string' && search.q ? search.q : undefined,
    sort: typeof search.sort === 'string' && search.sort ? search.sort : undefined,
  };
};
