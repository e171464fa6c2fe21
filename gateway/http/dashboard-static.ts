/**
 * The bundled dashboard's files, served without the token: they hold no data, and the page asks for the token
 * itself before it calls the API or opens the ws. Until the dashboard is built, `/` explains that instead of 404.
 */
import express from 'express';
import type { Router } from 'express';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>squatmon</title></head>
<body>
<h1>squatmon gateway</h1>
<p>The dashboard has not been built, so there is no page to show yet. The gateway itself is running:
its REST API is under <code>/api</code> (try <a href="/api/health">/api/health</a>) and live events are on the
WebSocket <code>/ws</code>.</p>
<p>When the gateway listens beyond this computer it needs its token: send <code>Authorization: Bearer &lt;token&gt;</code>
or add <code>?token=&lt;token&gt;</code> to API and WebSocket URLs.</p>
</body>
</html>
`;

export function dashboardStatic(staticDir: string): Router {
  const router = express.Router();
  router.use(express.static(staticDir, { index: 'index.html', dotfiles: 'ignore', fallthrough: true }));
  router.get(['/', '/index.html'], (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'").type('html').send(NOT_BUILT_PAGE);
  });
  return router;
}
