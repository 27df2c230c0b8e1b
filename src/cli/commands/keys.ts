// `gatehouse keys generate [PREFIX]`: an ECDSA P-256 key pair for signing verification summaries,
// PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM), as cosign and openssl read them.

import { basename, resolve } from "node:path";
import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import { generateKeyFiles } from "../../promotion/keys.js";
import { commandGroup } from "../common.js";

const generateCommand = {
  command: "generate [prefix]",
  describe: "create PREFIX.key (private, mode 0600) and PREFIX.pub: an ECDSA P-256 pair for promote verify --sign-key / check-summary --key",
  builder: (y: Argv) => y.positional("prefix", { type: "string", default: "gatehouse", describe: "path prefix of the two files" }),
  handler: (args: { prefix: string }) => {
    // An empty prefix or one naming a directory ("keys/") would write hidden ".key"/".pub" files.
    if (basename(args.prefix) === "" || /[\\/]$/.test(args.prefix) || basename(args.prefix) === "." || basename(args.prefix) === "..") {
      throw new UsageError(`keys generate: the prefix ${JSON.stringify(args.prefix)} names no file; give a path prefix such as "gatehouse" or "keys/release"`);
    }
    const privateFile = resolve(`${args.prefix}.key`);
    const publicFile = resolve(`${args.prefix}.pub`);
    const { keyid } = generateKeyFiles(privateFile, publicFile);
    process.stdout.write(`wrote ${args.prefix}.key (private, keep it secret) and ${args.prefix}.pub (keyid ${keyid})\n`);
  },
};

export const keysCommand = commandGroup("keys", "signing keys for verification summaries", [generateCommand]);
