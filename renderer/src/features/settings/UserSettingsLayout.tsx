// Placeholder while the page is being built (replaced in this session's work on the browser UI).
import { Outlet } from '@tanstack/react-router';

export function UserSettingsLayout() {
  return <Outlet />;
}
