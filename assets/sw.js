// clinicflow's service worker: keeps the app shell (the pages as the hub renders them, the
// wasm client and the assets) so a tablet opens its screen, and its local copy of the clinic,
// while the hub cannot be reached. Network first: whenever the hub answers, its answer is
// used (and kept); only when it does not is the kept copy served. Nothing under /api/ (the
// clinic's data and live stream), /healthz or /pair/ is ever cached or answered from here.
// The pages hold no clinic data: the hub renders the empty frame and the client fills it in.
const SHELL = "clinicflow-shell-v1";
const NEVER = ["/api/", "/healthz", "/pair/", "/sw.js"];

// Kept at install, so that even a screen first opened just before the hub went away reopens.
const SCREENS = ["/", "/floor", "/board", "/desk", "/provider", "/kiosk", "/lobby"];
const FILES = ["/wasm/clinicflow.js", "/wasm/clinicflow_bg.wasm", "/assets/style.css",
  "/assets/manifest.webmanifest", "/assets/icons/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      // One missing file (a hub without a bundle) must not stop the worker from installing.
      .then((cache) => Promise.allSettled([...SCREENS, ...FILES].map((path) => cache.add(path))))
      .then(() => self.skipWaiting()),
  );
});
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: request.mode === "navigate" })
          .then((kept) => kept || Response.error()),
      ),
  );
});
