// Go-compatible `sprintf` for OPA policies: the verbs governance messages use (%s %d %v %q %f
// %x %t %%), with width, precision and the - + 0 space flags, formatting values the way OPA's
// Go implementation does (strings bare for %s/%v, composite values in Rego/JSON syntax).

type Flags = { minus: boolean; plus: boolean; zero: boolean; space: boolean; sharp: boolean };

const VERB = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;

export function goSprintf(format: string, args: unknown[]): string {
  let argIndex = 0;
  const out = format.replace(VERB, (whole, flagText: string, widthText: string | undefined, precText: string | undefined, verb: string) => {
    if (verb === "%" && !flagText && widthText === undefined && precText === undefined) return "%";
    const flags: Flags = { minus: flagText.includes("-"), plus: flagText.includes("+"), zero: flagText.includes("0"), space: flagText.includes(" "), sharp: flagText.includes("#") };
    const width = widthText === "*" ? Number(args[argIndex++]) : widthText !== undefined ? Number(widthText) : undefined;
    const hasPrecision = whole.includes(".");
    const precision = precText === "*" ? Number(args[argIndex++]) : precText !== undefined ? Number(precText) : hasPrecision ? 0 : undefined;
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    const body = formatVerb(verb, arg, flags, precision);
    return pad(body, width, flags, verb);
  });
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => `${goTypeName(a)}=${formatValue(a)}`);
    return `${out}%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function goTypeName(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "*big.Int" : "float64";
  if (typeof value === "boolean") return "bool";
  return "ast.Value";
}

function formatVerb(verb: string, arg: unknown, flags: Flags, precision: number | undefined): string {
  switch (verb) {
    case "s":
      return typeof arg === "string" ? (precision !== undefined ? arg.slice(0, precision) : arg) : bad("s", arg);
    case "v":
      return formatValue(arg);
    case "q":
      return typeof arg === "string" ? goQuote(arg) : bad("q", arg);
    case "t":
      return typeof arg === "boolean" ? String(arg) : bad("t", arg);
    case "d":
      if (typeof arg === "number" && Number.isInteger(arg)) return sign(arg, flags) + Math.abs(arg).toString();
      return bad("d", arg);
    case "f":
    case "F":
      if (typeof arg === "number") return sign(arg, flags) + Math.abs(arg).toFixed(precision ?? 6);
      return bad(verb, arg);
    case "e":
      if (typeof arg === "number") return sign(arg, flags) + goExponent(Math.abs(arg), precision ?? 6);
      return bad("e", arg);
    case "x":
    case "X": {
      let s: string;
      if (typeof arg === "number" && Number.isInteger(arg)) s = (arg < 0 ? "-" : "") + Math.abs(arg).toString(16);
      else if (typeof arg === "string") s = Buffer.from(arg, "utf8").toString("hex");
      else return bad(verb, arg);
      return verb === "X" ? s.toUpperCase() : s;
    }
    case "o":
      if (typeof arg === "number" && Number.isInteger(arg)) return (arg < 0 ? "-" : "") + Math.abs(arg).toString(8);
      return bad("o", arg);
    case "b":
      if (typeof arg === "number" && Number.isInteger(arg)) return (arg < 0 ? "-" : "") + Math.abs(arg).toString(2);
      return bad("b", arg);
    default:
      return bad(verb, arg);
  }
}

function sign(n: number, flags: Flags): string {
  if (n < 0 || Object.is(n, -0)) return "-";
  return flags.plus ? "+" : flags.space ? " " : "";
}

function goExponent(n: number, precision: number): string {
  const [mantissa, exp] = n.toExponential(precision).split("e") as [string, string];
  const e = Number(exp);
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function pad(body: string, width: number | undefined, flags: Flags, verb: string): string {
  if (width === undefined || body.length >= width) return body;
  if (flags.minus) return body.padEnd(width);
  const numeric = "dfFeExXob".includes(verb);
  if (flags.zero && numeric) {
    const signChar = /^[-+ ]/.test(body) ? body[0]! : "";
    return signChar + body.slice(signChar.length).padStart(width - signChar.length, "0");
  }
  return body.padStart(width);
}

function bad(verb: string, arg: unknown): string {
  return `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}

/** A value as OPA prints it for %v: strings bare, numbers as Go prints them, composites as Rego. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  return regoString(value);
}

function regoString(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(regoString).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}: ${regoString((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

/** Go's %v of a big.Int or float64: integers in full, floats in the shortest form. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, "e$1" + "0$2").replace(/e(-?)(\d\d+)$/, "e$1$2");
}

/** Go's strconv.Quote: printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\u0007") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}
