// The policy shapes `npm run bench` (scripts/bench.ts) runs, side by side with conftest: the
// Kubernetes-style policy of scripts/bench-inputs.ts and three lighter ones, each with its own
// generated inputs (seeded: the same files every run) and, for the Gatekeeper-style template, a
// data file passed to both tools with --data. Each shape injects its violations with a small
// probability, so some of the files fail and every rule fires on some of them.

import { deployment, POLICY, rng } from "./bench-inputs.js";

export type ShapeName = "kubernetes" | "receipts" | "gatekeeper" | "strings";

export interface BenchShape {
  /** one line for the bench's header */
  title: string;
  /** the policy directory's files (name -> Rego source) */
  policy: Record<string, string>;
  /** written as data.json and passed to both tools as --data */
  data?: unknown;
  /** the N-th input document */
  input: (index: number) => unknown;
  /** file name prefix of the inputs */
  prefix: string;
  /** whether the bench also times the floor rows (scripts/bench-floor.ts) and YAML inputs */
  floors: boolean;
}

// ---------------------------------------------------------------------------------------------
// receipts: a light 20-rule policy of string and number checks on small JSON receipts (~0.5 KB).

const CURRENCIES = ["EUR", "USD", "GBP", "EUR", "USD"];
const METHODS = ["card", "card", "card", "transfer", "wallet"];
const COUNTRIES = ["DE", "FR", "US", "GB", "NL", "ES"];

export function receipt(index: number): unknown {
  const r = rng(index * 104_729 + 3);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const items = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({
    sku: `SKU-${(index * 7 + i) % 9000 + 1000}`,
    qty: chance(0.01) ? 0 : 1 + Math.floor(r() * 4),
    unit_price: chance(0.01) ? -100 : 100 + Math.floor(r() * 5000),
  }));
  const subtotal = items.reduce((sum, item) => sum + item.qty * item.unit_price, 0);
  const taxRate = chance(0.01) ? 45 : pick([0, 7, 19, 20]);
  const tax = Math.round((subtotal * taxRate) / 100);
  const method = chance(0.01) ? "cash" : pick(METHODS);
  const status = chance(0.01) ? "void" : chance(0.05) ? "refunded" : pick(["paid", "paid", "pending"]);
  return {
    id: `rcpt-${String(index).padStart(6, "0")}`,
    status,
    ...(status === "refunded" && !chance(0.2) ? { refund_reason: "customer request" } : {}),
    currency: chance(0.01) ? "XBT" : pick(CURRENCIES),
    subtotal,
    discount: chance(0.01) ? subtotal + 1 : Math.floor(subtotal / 20),
    tax_rate: taxRate,
    tax: chance(0.01) ? -1 : tax,
    total: chance(0.01) ? subtotal + tax + 1 : subtotal + tax,
    created_at: `2026-0${1 + (index % 9)}-1${index % 10}T10:00:00Z`,
    settled_at: chance(0.01) ? "2025-12-31T00:00:00Z" : `2026-0${1 + (index % 9)}-1${index % 10}T11:00:00Z`,
    merchant: { id: chance(0.01) ? "" : `m-${index % 97}`, country: chance(0.01) ? "" : pick(COUNTRIES) },
    customer: chance(0.03) ? { id: `c-${index}` } : { id: `c-${index}`, email: chance(0.01) ? `c${index}.example.com` : `c${index}@example.com` },
    payment: { method, ...(method === "card" ? { last4: chance(0.01) ? "12" : String(1000 + (index % 9000)) } : {}) },
    items,
  };
}

const RECEIPTS_POLICY = `package main

import rego.v1

deny contains msg if {
	not is_string(input.id)
	msg := "the receipt has no id"
}

deny contains msg if {
	not input.status in {"paid", "pending", "refunded"}
	msg := sprintf("%s has an unknown status %s", [input.id, input.status])
}

deny contains msg if {
	input.status == "refunded"
	not input.refund_reason
	msg := sprintf("%s is refunded without a reason", [input.id])
}

deny contains msg if {
	not input.currency in {"EUR", "USD", "GBP"}
	msg := sprintf("%s is in an unsupported currency %s", [input.id, input.currency])
}

deny contains msg if {
	input.total < 0
	msg := sprintf("%s has a negative total", [input.id])
}

deny contains msg if {
	input.subtotal + input.tax != input.total
	msg := sprintf("%s: subtotal %d + tax %d is not the total %d", [input.id, input.subtotal, input.tax, input.total])
}

deny contains msg if {
	input.tax < 0
	msg := sprintf("%s has a negative tax", [input.id])
}

deny contains msg if {
	input.tax_rate > 30
	msg := sprintf("%s has a tax rate of %d%%", [input.id, input.tax_rate])
}

deny contains msg if {
	input.discount > input.subtotal
	msg := sprintf("%s discounts more than its subtotal", [input.id])
}

deny contains msg if {
	input.total > 5000000
	msg := sprintf("%s exceeds the receipt limit", [input.id])
}

deny contains msg if {
	count(input.items) == 0
	msg := sprintf("%s has no items", [input.id])
}

deny contains msg if {
	some item in input.items
	item.qty <= 0
	msg := sprintf("%s: item %s has quantity %d", [input.id, item.sku, item.qty])
}

deny contains msg if {
	some item in input.items
	item.unit_price < 0
	msg := sprintf("%s: item %s has a negative price", [input.id, item.sku])
}

deny contains msg if {
	input.merchant.id == ""
	msg := sprintf("%s has no merchant id", [input.id])
}

deny contains msg if {
	input.merchant.country == ""
	msg := sprintf("%s has no merchant country", [input.id])
}

deny contains msg if {
	input.payment.method == "card"
	count(input.payment.last4) != 4
	msg := sprintf("%s: card number ending %s is not four digits", [input.id, input.payment.last4])
}

deny contains msg if {
	input.customer.email
	not contains(input.customer.email, "@")
	msg := sprintf("%s: customer email %s has no @", [input.id, input.customer.email])
}

warn contains msg if {
	input.settled_at < input.created_at
	msg := sprintf("%s was settled before it was created", [input.id])
}

warn contains msg if {
	not input.customer.email
	msg := sprintf("%s has no customer email", [input.id])
}

warn contains msg if {
	input.payment.method == "cash"
	msg := sprintf("%s was paid in cash", [input.id])
}
`;

// ---------------------------------------------------------------------------------------------
// gatekeeper: Gatekeeper-style constraint templates (violation rules returning {"msg", "details"}
// on input.review.object), their parameters read from data, as in a library of templates run
// through conftest with --data.

const GATEKEEPER_DATA = {
  parameters: {
    labels: ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "owner"],
    repos: ["registry.example.com/", "gcr.io/example-"],
    disallowedTags: ["latest", "dev"],
    maxReplicas: 8,
    cpuLimitMaxMillis: 2000,
  },
};

export function admissionReview(index: number): unknown {
  const r = rng(index * 15_485_863 + 11);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const app = `svc-${index}`;
  const labels: Record<string, string> = { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": pick(["shop", "search", "identity"]), owner: "team-a" };
  if (chance(0.03)) delete labels.owner;
  if (chance(0.02)) delete labels["app.kubernetes.io/part-of"];
  const container = (name: string) => ({
    name,
    image: `${chance(0.03) ? "docker.io/" : pick(["registry.example.com/", "gcr.io/example-"])}${name}:${chance(0.03) ? pick(["latest", "dev"]) : `1.${Math.floor(r() * 30)}.0`}`,
    resources: { limits: { cpu: chance(0.02) ? "4000m" : `${100 * (1 + Math.floor(r() * 10))}m`, memory: "256Mi" } },
  });
  return {
    kind: "AdmissionReview",
    review: {
      operation: "CREATE",
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: app, namespace: pick(["prod", "staging"]), labels },
        spec: {
          replicas: chance(0.02) ? 12 : 1 + Math.floor(r() * 6),
          template: { spec: { containers: chance(0.3) ? [container(app), container("sidecar")] : [container(app)] } },
        },
      },
    },
  };
}

const GATEKEEPER_POLICY = `package main

import rego.v1

# K8sRequiredLabels
violation contains {"msg": msg, "details": {"missing_labels": missing}} if {
	provided := {label | input.review.object.metadata.labels[label]}
	required := {label | some label in data.parameters.labels}
	missing := required - provided
	count(missing) > 0
	msg := sprintf("you must provide labels: %s", [concat(", ", sort(missing))])
}

# K8sAllowedRepos
violation contains {"msg": msg} if {
	some container in input.review.object.spec.template.spec.containers
	not startswith_any(container.image, data.parameters.repos)
	msg := sprintf("container <%s> has an invalid image repo <%s>, allowed repos are %s", [container.name, container.image, concat(", ", data.parameters.repos)])
}

# K8sDisallowedTags
violation contains {"msg": msg} if {
	some container in input.review.object.spec.template.spec.containers
	tags := [tag | some t in data.parameters.disallowedTags; tag := concat(":", ["", t])]
	some tag in tags
	endswith(container.image, tag)
	msg := sprintf("container <%s> uses a disallowed tag <%s>", [container.name, container.image])
}

# K8sReplicaLimits
violation contains {"msg": msg} if {
	input.review.object.spec.replicas > data.parameters.maxReplicas
	msg := sprintf("deployment %s has %d replicas, more than the %d allowed", [input.review.object.metadata.name, input.review.object.spec.replicas, data.parameters.maxReplicas])
}

# K8sContainerLimits (cpu, in millicores)
violation contains {"msg": msg} if {
	some container in input.review.object.spec.template.spec.containers
	cpu := container.resources.limits.cpu
	endswith(cpu, "m")
	to_number(trim_suffix(cpu, "m")) > data.parameters.cpuLimitMaxMillis
	msg := sprintf("container <%s> cpu limit <%s> is higher than the maximum allowed of <%dm>", [container.name, cpu, data.parameters.cpuLimitMaxMillis])
}

startswith_any(image, prefixes) if {
	some prefix in prefixes
	startswith(image, prefix)
}
`;

// ---------------------------------------------------------------------------------------------
// strings: a light policy of string checks (startswith, endswith, regex.match, contains) on a
// few fields of a small release record (~0.3 KB).

export function release(index: number): unknown {
  const r = rng(index * 2_750_159 + 5);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const name = `pkg-${pick(["core", "cli", "web", "api"])}-${index}${chance(0.02) ? "-test" : ""}`;
  return {
    name,
    version: chance(0.02) ? `1.${index % 30}` : `1.${index % 30}.${Math.floor(r() * 10)}`,
    repository: chance(0.02) ? `https://gitlab.com/someone/${name}` : `https://github.com/example/${name}`,
    branch: chance(0.02) ? "tmp/try-this" : pick(["main", "release/1.x", `feature/issue-${index % 500}`]),
    author: chance(0.02) ? `dev${index}@gmail.com` : `dev${index % 40}@example.com`,
    license: chance(0.02) ? "GPL-3.0" : pick(["Apache-2.0", "MIT"]),
    message: chance(0.02) ? `WIP: change ${index}` : chance(0.03) ? `fixme later ${index}` : `feat: change ${index}`,
  };
}

const STRINGS_POLICY = `package main

import rego.v1

deny contains msg if {
	not startswith(input.repository, "https://github.com/example/")
	msg := sprintf("%s comes from an unknown repository %s", [input.name, input.repository])
}

deny contains msg if {
	not regex.match(\`^[0-9]+\\.[0-9]+\\.[0-9]+$\`, input.version)
	msg := sprintf("%s: version %s is not MAJOR.MINOR.PATCH", [input.name, input.version])
}

deny contains msg if {
	endswith(input.name, "-test")
	msg := sprintf("%s is a test package", [input.name])
}

deny contains msg if {
	not endswith(input.author, "@example.com")
	msg := sprintf("%s: author %s is not an example.com address", [input.name, input.author])
}

deny contains msg if {
	not regex.match(\`^(main|release/[0-9]+\\.x|feature/[a-z0-9-]+)$\`, input.branch)
	msg := sprintf("%s: branch %s is not releasable", [input.name, input.branch])
}

deny contains msg if {
	startswith(input.license, "GPL")
	msg := sprintf("%s has a copyleft license %s", [input.name, input.license])
}

deny contains msg if {
	contains(input.message, "WIP")
	msg := sprintf("%s: the message marks work in progress", [input.name])
}

warn contains msg if {
	contains(lower(input.message), "fixme")
	msg := sprintf("%s: the message says fixme", [input.name])
}

warn contains msg if {
	not startswith(input.name, "pkg-")
	msg := sprintf("%s does not follow the naming scheme", [input.name])
}

warn contains msg if {
	not contains(input.repository, input.name)
	msg := sprintf("%s: the repository is not named after the package", [input.name])
}
`;

export const SHAPES: Record<ShapeName, BenchShape> = {
  kubernetes: {
    title: "Kubernetes Deployments (~2 KB), package main: 17 deny + 3 warn rules, helper set and function",
    policy: { "main.rego": POLICY },
    input: deployment,
    prefix: "deploy",
    floors: true,
  },
  receipts: {
    title: "receipts (~0.5 KB), package main: 17 deny + 3 warn rules of string and number checks",
    policy: { "main.rego": RECEIPTS_POLICY },
    input: receipt,
    prefix: "receipt",
    floors: false,
  },
  gatekeeper: {
    title: "AdmissionReviews (~0.6 KB), Gatekeeper-style: 5 violation templates, parameters from --data",
    policy: { "main.rego": GATEKEEPER_POLICY },
    data: GATEKEEPER_DATA,
    input: admissionReview,
    prefix: "review",
    floors: false,
  },
  strings: {
    title: "release records (~0.3 KB), package main: 7 deny + 3 warn string checks (startswith, endswith, regex, contains)",
    policy: { "main.rego": STRINGS_POLICY },
    input: release,
    prefix: "release",
    floors: false,
  },
};
