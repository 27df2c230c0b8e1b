// The web console's routes, spread into the one route table (src/service/routes.ts): its files
// (public: the page asks for a token itself) and the read-only API its pages use (api.ts).

import type { Route } from "../context.js";
import { CONSOLE_API_ROUTES } from "./api.js";
import { consoleAsset } from "./assets.js";

export const CONSOLE_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/",
    summary: "redirects to the web console (/console/)",
    permission: "public",
    status: 302,
    handler: async () => ({ status: 302, body: "", headers: { location: "/console/" } }),
  },
  {
    method: "GET",
    path: "/console",
    summary: "redirects to /console/ (the console's files are relative to it)",
    permission: "public",
    status: 301,
    handler: async () => ({ status: 301, body: "", headers: { location: "/console/" } }),
  },
  {
    method: "GET",
    path: "/console/{file*}",
    summary: "the web console's files: index.html, its script, style and icon (text/html, text/javascript, text/css, image/svg+xml; not JSON)",
    permission: "public",
    handler: async ({ params }) => consoleAsset(params.file!),
  },
  ...CONSOLE_API_ROUTES,
];
