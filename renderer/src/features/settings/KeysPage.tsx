// Placeholder while the page is being built (replaced in this session's work on the browser UI).
import { EmptyState, Panel } from '../../components/ui';

export function KeysPage() {
  return (
    <Panel>
      <EmptyState title="KeysPage" />
    </Panel>
  );
}
