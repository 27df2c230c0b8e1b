// Inputs and policy of `npm run bench` (scripts/bench.ts); also used by tests of the evaluation
// fast paths, which need realistic documents and a realistic conftest-style policy.

// Inputs: k8s-Deployment-like documents of ~2 KB, varied by a seeded generator so every run
// evaluates the same files. Each violation is injected with a small probability, so a fraction
// of the files fail and each rule fires on some of them.

export function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ["payments", "search", "identity", "checkout", "platform", "data", "growth"];
const APPS = ["api", "worker", "gateway", "scheduler", "indexer", "web", "sync", "notifier"];
const NAMESPACES = ["production", "staging", "dev", "production", "staging"];

export function deployment(index: number): unknown {
  const r = rng(index * 7919 + 17);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const team = pick(TEAMS);
  const app = `${pick(APPS)}-${index}`;
  const namespace = pick(NAMESPACES);
  const registry = chance(0.04) ? "docker.io/library" : "registry.example.com/" + team;
  const container = (name: string, main: boolean): Record<string, unknown> => {
    const tag = chance(0.04) ? "latest" : `1.${Math.floor(r() * 40)}.${Math.floor(r() * 10)}`;
    const image = chance(0.02) ? `${registry}/${name}` : `${registry}/${name}:${tag}`;
    const env: { name: string; value?: string; valueFrom?: unknown }[] = [
      { name: "LOG_LEVEL", value: pick(["info", "debug", "warn"]) },
      { name: "SERVICE_NAME", value: app },
      { name: "REGION", value: pick(["eu-west-1", "us-east-1", "ap-south-1"]) },
      { name: "FEATURE_FLAGS", value: pick(["search-v2,checkout-redesign", "none", "dark-launch"]) },
      chance(0.03)
        ? { name: "DB_PASSWORD", value: "hunter2" }
        : { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: `${app}-db`, key: "password" } } },
    ];
    const securityContext: Record<string, unknown> = {
      runAsNonRoot: !chance(0.03),
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: chance(0.03),
      capabilities: { drop: ["ALL"], ...(chance(0.02) ? { add: [pick(["SYS_ADMIN", "NET_ADMIN"])] } : {}) },
    };
    if (chance(0.01)) securityContext.privileged = true;
    const limits: Record<string, string> = { cpu: `${200 + Math.floor(r() * 8) * 100}m`, memory: `${256 * (1 + Math.floor(r() * 4))}Mi` };
    if (chance(0.03)) delete limits.memory;
    if (chance(0.03)) delete limits.cpu;
    return {
      name,
      image,
      imagePullPolicy: chance(0.2) ? "IfNotPresent" : "Always",
      ports: [{ name: "http", containerPort: chance(0.02) ? 80 : 8080 + Math.floor(r() * 10), protocol: "TCP" }],
      env,
      resources: { limits, ...(chance(0.05) ? {} : { requests: { cpu: "100m", memory: "128Mi" } }) },
      securityContext,
      ...(main && chance(0.03) ? {} : { readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10 } }),
      ...(main && chance(0.03) ? {} : { livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 15 } }),
    };
  };
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/part-of": team,
    "app.kubernetes.io/version": `1.${index % 40}.0`,
  };
  if (chance(0.03)) delete labels["app.kubernetes.io/name"];
  const annotations: Record<string, string> = {
    "example.com/owner": `${team}@example.com`,
    "example.com/runbook": `https://runbooks.example.com/${team}/${app}`,
    "example.com/description": `${app} serves the ${team} team's traffic`,
  };
  if (chance(0.1)) delete annotations["example.com/owner"];
  const containers = [container(app, true)];
  if (chance(0.5)) containers.push(container("log-shipper", false));
  const volumes: unknown[] = [{ name: "config", configMap: { name: `${app}-config` } }, { name: "tmp", emptyDir: {} }];
  if (chance(0.02)) volumes.push({ name: "docker-sock", hostPath: { path: "/var/run/docker.sock" } });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace, labels, annotations },
    spec: {
      replicas: namespace === "production" && chance(0.05) ? 1 : 2 + Math.floor(r() * 4),
      selector: { matchLabels: { "app.kubernetes.io/name": app } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": team } },
        spec: {
          serviceAccountName: chance(0.03) ? "default" : app,
          ...(chance(0.01) ? { hostNetwork: true } : {}),
          containers,
          volumes,
        },
      },
    },
  };
}

// 17 deny rules and 3 warn rules, conftest style (package main, string messages).
export const POLICY = `package main

import rego.v1

containers contains c if some c in input.spec.template.spec.containers

deny contains msg if {
	some c in containers
	not c.securityContext.runAsNonRoot
	msg := sprintf("container %s must set securityContext.runAsNonRoot", [c.name])
}

deny contains msg if {
	some c in containers
	c.securityContext.privileged == true
	msg := sprintf("container %s must not be privileged", [c.name])
}

deny contains msg if {
	some c in containers
	c.securityContext.allowPrivilegeEscalation != false
	msg := sprintf("container %s must set allowPrivilegeEscalation: false", [c.name])
}

deny contains msg if {
	some c in containers
	some cap in c.securityContext.capabilities.add
	cap in {"SYS_ADMIN", "NET_ADMIN", "ALL"}
	msg := sprintf("container %s adds capability %s", [c.name, cap])
}

deny contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses the mutable tag latest (%s)", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	last := regex.split("/", c.image)
	not contains(last[count(last) - 1], ":")
	msg := sprintf("container %s image %s has no tag", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	not startswith(c.image, "registry.example.com/")
	msg := sprintf("container %s pulls from an untrusted registry: %s", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	not c.resources.limits.memory
	msg := sprintf("container %s has no memory limit", [c.name])
}

deny contains msg if {
	some c in containers
	not c.resources.limits.cpu
	msg := sprintf("container %s has no cpu limit", [c.name])
}

deny contains msg if {
	some c in containers
	some e in c.env
	secretish(e.name)
	e.value
	msg := sprintf("container %s sets %s from a literal; use a secretKeyRef", [c.name, e.name])
}

deny contains msg if {
	c := input.spec.template.spec.containers[0]
	not c.readinessProbe
	msg := sprintf("container %s has no readinessProbe", [c.name])
}

deny contains msg if {
	c := input.spec.template.spec.containers[0]
	not c.livenessProbe
	msg := sprintf("container %s has no livenessProbe", [c.name])
}

deny contains msg if {
	some c in containers
	some p in c.ports
	p.containerPort < 1024
	msg := sprintf("container %s listens on privileged port %d", [c.name, p.containerPort])
}

deny contains msg if {
	input.spec.template.spec.hostNetwork == true
	msg := sprintf("%s must not use the host network", [input.metadata.name])
}

deny contains msg if {
	some v in input.spec.template.spec.volumes
	v.hostPath
	msg := sprintf("%s mounts hostPath %s", [input.metadata.name, v.hostPath.path])
}

deny contains msg if {
	not input.metadata.labels["app.kubernetes.io/name"]
	msg := sprintf("%s must carry the label app.kubernetes.io/name", [input.metadata.name])
}

deny contains msg if {
	input.metadata.namespace == "production"
	input.spec.replicas < 2
	msg := sprintf("%s runs %d replica(s) in production; at least 2 are required", [input.metadata.name, input.spec.replicas])
}

warn contains msg if {
	not input.metadata.annotations["example.com/owner"]
	msg := sprintf("%s has no owner annotation", [input.metadata.name])
}

warn contains msg if {
	some c in containers
	c.imagePullPolicy != "Always"
	msg := sprintf("container %s should use imagePullPolicy: Always", [c.name])
}

warn contains msg if {
	input.spec.template.spec.serviceAccountName == "default"
	msg := sprintf("%s runs under the default service account", [input.metadata.name])
}

secretish(name) if contains(lower(name), "password")

secretish(name) if contains(lower(name), "token")
`;


/**
 * The same rules with the `containers` helper set inlined as direct iteration. Building a set of
 * container objects hashes every container; the bench measures both to show that cost.
 */
export const POLICY_WITHOUT_HELPER_SET = POLICY.replace("containers contains c if some c in input.spec.template.spec.containers\n", "").replaceAll(
  "some c in containers",
  "some c in input.spec.template.spec.containers",
);
