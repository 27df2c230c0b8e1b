// The trust root: the digests of the bundle this installation of gatehouse ships (bundle/),
// taken when the program was built. `npm run compile` (and so `npm pack`) replaces this module's
// compiled output, dist/src/policy/pinned-bundle.js, with the digests of the committed bundle
// (scripts/pin-bundle.ts) before the CLI is bundled, so they live inside the installed program
// and not in any file a repository under gate controls. This source is the placeholder a bare
// `tsc` emits: no pin, so the shipped bundle is refused (bundle/untrusted), never trusted blindly.

export interface BundlePin {
  /** sha256 of bundle/manifest.json's bytes (it records the wasm's digest, sources, entrypoints) */
  manifestSha256: string;
  /** sha256 of bundle/policy.wasm */
  wasmSha256: string;
}

export const PINNED_BUNDLE: BundlePin | undefined = undefined;
