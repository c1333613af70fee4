// The public surface of server/wiki: the wiki service (pages of `<name>.wiki.git`), where a
// repository's wiki lives on disk, and the realtime message the feature sends.
export { WikiService, PAGE_MAX_BYTES, type WikiCommit, type WikiEdit, type WikiPage, type WikiPageMeta, type WikiSearchHit } from './service.js';
export { HOME, SIDEBAR, FOOTER, nameOfTitle, titleOfName, pageNameFrom } from './pages.js';

import type { WikiService } from './service.js';

declare module '../services.js' {
  interface Services {
    wiki: WikiService;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** The wiki's branch moved (an edit or a push): pages open on it refetch. */
    'wiki.updated': { repo: string };
  }
}
