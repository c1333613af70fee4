import { EmptyState, Panel, useTitle } from '../components/ui';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <Panel>
      <EmptyState title="Page not found" icon="∅">
        There's nothing at this address. <a href="/">Go home</a>
      </EmptyState>
    </Panel>
  );
}
