// Entry: theme and fonts, the query client, the tab's realtime connection, the router.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client';
import { router } from './app/router';
import { RealtimeClient, RealtimeProvider } from './lib/realtime';
import './theme/fonts.css';
import './theme/tokens.css';
import './theme/global.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // a 4xx (missing, forbidden, invalid) won't change on retry
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

// one socket per tab, opened once someone is signed in (the Shell says who)
const realtime = new RealtimeClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RealtimeProvider client={realtime}>
        <RouterProvider router={router} context={{ queryClient }} />
      </RealtimeProvider>
    </QueryClientProvider>
  </StrictMode>,
);
