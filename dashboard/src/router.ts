/** The views by name, switched with the address's hash (#live, #overview, #history, #coaching) so back works. */
export const ROUTES = ['live', 'overview', 'history', 'coaching'] as const;
export type Route = (typeof ROUTES)[number];

export function currentRoute(): Route {
  const name = location.hash.replace(/^#/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'live';
}

export function onRouteChange(listener: (route: Route) => void): void {
  window.addEventListener('hashchange', () => listener(currentRoute()));
}

export function goTo(route: string): void {
  location.hash = route;
}
