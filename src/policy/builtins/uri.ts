// uri.parse and uri.is_valid as topdown computes them (v1/topdown/uri.go): Go's url.Parse (the Go
// release OPA 1.22.0 is built with: IPv6 literals checked, colons in a host refused), its parts
// as OPA returns them (raw_path is the input's path when the decoded path does not come back
// under Go's default path escaping, the decoded path otherwise).

import { BuiltinError, stringOperand } from "./errors.js";
import { parseIP } from "./net.js";

type Mode = "path" | "host" | "zone" | "userPassword" | "fragment";

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const unhex = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);

/** Go's shouldEscape for the modes url.Parse uses. */
function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    switch (mode) {
      case "path":
        return ch === "?";
      case "userPassword":
        return ch === "@" || ch === "/" || ch === "?" || ch === ":";
      case "fragment":
        return false;
      default:
        break;
    }
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

class UrlError extends BuiltinError {}

/** Go's url.unescape on UTF-8 bytes. */
function unescape(s: Buffer, mode: Mode): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === 0x25) {
      if (i + 2 >= s.length || !isHex(s[i + 1]!) || !isHex(s[i + 2]!)) throw new UrlError(`invalid URL escape ${JSON.stringify(s.subarray(i, i + 3).toString("latin1"))}`);
      const v = (unhex(s[i + 1]!) << 4) | unhex(s[i + 2]!);
      const text = s.subarray(i, i + 3).toString("latin1");
      if (mode === "host" && unhex(s[i + 1]!) < 8 && text !== "%25") throw new UrlError(`invalid URL escape ${JSON.stringify(text)}`);
      if (mode === "zone" && text !== "%25" && v !== 0x20 && shouldEscape(v, "host")) throw new UrlError(`invalid URL escape ${JSON.stringify(text)}`);
      out.push(v);
      i += 3;
      continue;
    }
    if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode)) throw new UrlError(`invalid character ${JSON.stringify(String.fromCharCode(c))} in host name`);
    out.push(c);
    i++;
  }
  return Buffer.from(out);
}

/** Go's url.escape(s, encodePath). */
function escapePath(s: Buffer): string {
  let out = "";
  for (const c of s) out += shouldEscape(c, "path") ? `%${c.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(c);
  return out;
}

const validOptionalPort = (port: string): boolean => port === "" || /^:[0-9]*$/.test(port);

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf("%25");
    const literal = host.slice(1, zone >= 0 ? zone : i);
    const ip = parseIP(literal);
    if (!ip || (!literal.includes(":"))) throw new UrlError(`invalid IP-literal ${JSON.stringify(host.slice(0, i + 1))}`);
    if (zone >= 0) {
      const host1 = unescape(Buffer.from(host.slice(0, zone), "utf8"), "host");
      const host2 = unescape(Buffer.from(host.slice(zone, i), "utf8"), "zone");
      const host3 = unescape(Buffer.from(host.slice(i), "utf8"), "host");
      return Buffer.concat([host1, host2, host3]).toString("utf8");
    }
  } else {
    const i = host.lastIndexOf(":");
    if (i >= 0) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
      if (host.slice(0, i).includes(":")) throw new UrlError(`invalid host ${JSON.stringify(host)}`);
    }
  }
  return unescape(Buffer.from(host, "utf8"), "host").toString("utf8");
}

export interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new UrlError("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

/** Go's url.Parse. */
export function goUrlParse(rawURL: string): ParsedUrl {
  const hash = rawURL.indexOf("#");
  const u = hash < 0 ? rawURL : rawURL.slice(0, hash);
  const frag = hash < 0 ? "" : rawURL.slice(hash + 1);
  if (/[\x00-\x1f\x7f]/.test(u)) throw new UrlError("net/url: invalid control character in URL");
  const out: ParsedUrl = { scheme: "", host: "", path: "", rawPath: "", rawQuery: "", fragment: "" };
  if (u === "*") out.path = "*";
  else {
    const [scheme, afterScheme] = getScheme(u);
    out.scheme = scheme.toLowerCase();
    let rest = afterScheme;
    if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
    else {
      const q = rest.indexOf("?");
      if (q >= 0) {
        out.rawQuery = rest.slice(q + 1);
        rest = rest.slice(0, q);
      }
    }
    let opaque = false;
    if (!rest.startsWith("/")) {
      if (out.scheme !== "") opaque = true;
      else {
        const segment = rest.split("/")[0]!;
        if (segment.includes(":")) throw new UrlError("first path segment in URL cannot contain colon");
      }
    }
    if (!opaque) {
      if ((out.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
        let authority = rest.slice(2);
        rest = "";
        const slash = authority.indexOf("/");
        if (slash >= 0) {
          rest = authority.slice(slash);
          authority = authority.slice(0, slash);
        }
        const at = authority.lastIndexOf("@");
        out.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
        if (at >= 0) {
          const userinfo = authority.slice(0, at);
          if (!validUserinfo(userinfo)) throw new UrlError("net/url: invalid userinfo");
          for (const part of userinfo.includes(":") ? [userinfo.slice(0, userinfo.indexOf(":")), userinfo.slice(userinfo.indexOf(":") + 1)] : [userinfo]) {
            unescape(Buffer.from(part, "utf8"), "userPassword");
          }
        }
      }
      const raw = Buffer.from(rest, "utf8");
      const path = unescape(raw, "path");
      out.path = path.toString("utf8");
      out.rawPath = escapePath(path) === rest ? "" : rest;
    }
  }
  if (frag !== "") out.fragment = unescape(Buffer.from(frag, "utf8"), "fragment").toString("utf8");
  return out;
}

/** url.URL's EscapedPath: RawPath when it is a valid encoding of Path, else Path escaped. */
export function escapedPath(url: ParsedUrl): string {
  if (url.rawPath !== "" && /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/.test(url.rawPath)) {
    try {
      if (unescape(Buffer.from(url.rawPath, "utf8"), "path").toString("utf8") === url.path) return url.rawPath;
    } catch {
      // not a valid encoding: escape Path instead
    }
  }
  if (url.path === "*") return "*";
  return escapePath(Buffer.from(url.path, "utf8"));
}

/** url.URL's Hostname and Port. */
function splitHostPort(host: string): [string, string] {
  let h = host;
  let port = "";
  const colon = h.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(h.slice(colon))) {
    port = h.slice(colon + 1);
    h = h.slice(0, colon);
  }
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return [h, port];
}

function uriParse(value: unknown): Record<string, string> {
  const text = stringOperand(value, 1);
  let parsed: ParsedUrl;
  try {
    parsed = goUrlParse(text);
  } catch (error) {
    throw new BuiltinError(`parse ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
  const out: Record<string, string> = {};
  const [hostname, port] = splitHostPort(parsed.host);
  if (parsed.scheme) out.scheme = parsed.scheme;
  if (hostname) out.hostname = hostname;
  if (port) out.port = port;
  if (parsed.path) {
    out.path = parsed.path;
    out.raw_path = parsed.rawPath || parsed.path;
  }
  if (parsed.rawQuery) out.raw_query = parsed.rawQuery;
  if (parsed.fragment) out.fragment = parsed.fragment;
  return out;
}

function uriIsValid(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  try {
    goUrlParse(value);
    return true;
  } catch (error) {
    if (error instanceof UrlError) return false;
    throw error;
  }
}

export const URI_BUILTINS = {
  "uri.parse": uriParse,
  "uri.is_valid": uriIsValid,
} satisfies Record<string, (...args: never[]) => unknown>;
