/**
 * The gateway's access token, when it has one (it must beyond localhost). Taken once from `?token=` in the
 * page's address, then kept in this browser so a bookmark without it keeps working; the address is cleaned so the
 * token does not linger on screen.
 */
const STORAGE_KEY = 'squatmon.token';

export function readToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    saveToken(fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return localStorage.getItem(STORAGE_KEY);
}

export function saveToken(token: string | null): void {
  if (token === null || token === '') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, token);
}

/** Adds the token to a URL a browser fetches by itself (downloads, the WebSocket). */
export function withToken(url: string, token: string | null): string {
  if (token === null) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
