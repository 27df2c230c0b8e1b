// Classes whose `__init__` is generated from their fields: dataclasses, attrs (`@attr.s` with
// `attr.ib()`, `@attrs.define` / `@define` with annotations or `field()`), `typing.NamedTuple`,
// `TypedDict` and `collections.namedtuple(...)`. The generated parameters are the class's contract,
// read from the source as the generator would build them, without running it.

import type { Node } from "web-tree-sitter";
import type { ContractParam } from "../model.js";
import { normalisePython } from "./text.js";

export type FieldsStyle = "dataclass" | "attrs" | "attrs-ib" | "namedtuple" | "typeddict";

/** A decorator or base as written, without a trailing comment: `dataclasses.dataclass(frozen=True)`. */
export interface Decoration {
  head: string;
  /** keyword arguments as source text (`frozen` → `True`) */
  keywords: Map<string, string>;
}

export function decoration(raw: string, node?: Node | null): Decoration {
  const text = raw.replace(/\s*#.*$/gm, "").trim();
  const head = text.replace(/\(.*$/s, "").replace(/\s+/g, "");
  const keywords = new Map<string, string>();
  const call = node?.type === "call" ? node : undefined;
  for (const arg of call?.childForFieldName("arguments")?.namedChildren ?? []) {
    if (arg?.type === "keyword_argument") keywords.set(arg.childForFieldName("name")?.text ?? "", arg.childForFieldName("value")?.text ?? "");
  }
  return { head, keywords };
}

const DATACLASS = new Set(["dataclass", "dataclasses.dataclass", "pydantic.dataclasses.dataclass"]);
// attrs' modern API: annotations are fields (auto_attribs detected), `field()` too.
const ATTRS_DEFINE = new Set(["define", "mutable", "frozen", "attr.define", "attr.mutable", "attr.frozen", "attrs.define", "attrs.mutable", "attrs.frozen"]);
// attrs' classic API: only `attr.ib()` assignments are fields unless `auto_attribs=True`.
const ATTRS_CLASSIC = new Set(["attr.s", "attr.attrs", "attrs", "attr.dataclass", "s"]);

/** The style of a decorated class's generated `__init__`, if a decorator generates one. */
export function decoratorStyle(decorations: Decoration[]): { style: FieldsStyle; kwOnly: boolean } | undefined {
  for (const d of decorations) {
    if (d.keywords.get("init") === "False") continue;
    const kwOnly = d.keywords.get("kw_only") === "True";
    if (DATACLASS.has(d.head)) return { style: "dataclass", kwOnly };
    if (ATTRS_DEFINE.has(d.head)) return { style: "attrs", kwOnly };
    if (ATTRS_CLASSIC.has(d.head)) return { style: d.keywords.get("auto_attribs") === "True" ? "attrs" : "attrs-ib", kwOnly };
  }
  return undefined;
}

const TYPING = /^(?:typing\.|typing_extensions\.|t\.)?/;

/** The style a base class gives (`class P(NamedTuple)`, `class Options(TypedDict, total=False)`). */
export function baseStyle(bases: string[]): FieldsStyle | undefined {
  for (const base of bases) {
    const name = base.replace(TYPING, "");
    if (name === "NamedTuple") return "namedtuple";
    if (name === "TypedDict") return "typeddict";
  }
  return undefined;
}

interface Field {
  param: ContractParam;
}

const FIELD_CALLS = new Set(["field", "dataclasses.field", "attr.ib", "attr.attrib", "attrib", "attrs.field", "attr.field"]);
const ATTRS_IB = new Set(["attr.ib", "attr.attrib", "attrib", "attrs.field", "attr.field", "field"]);

/**
 * The generated `__init__` parameters of a class body, in order: positional fields first, then
 * keyword-only ones (dataclass `kw_only`, the `_: KW_ONLY` sentinel, attrs `kw_only=True`, every
 * TypedDict key). `inherited` are the fields of a base in the same module, which come first.
 */
export function generatedParams(body: Node | null, style: FieldsStyle, options: { kwOnly?: boolean; total?: boolean; inherited?: ContractParam[] } = {}): ContractParam[] {
  const fields = new Map<string, Field>();
  for (const p of options.inherited ?? []) fields.set(p.name, { param: { ...p } });
  let kwOnly = options.kwOnly === true || style === "typeddict";
  for (const statement of body?.namedChildren ?? []) {
    if (statement?.type !== "expression_statement") continue;
    const assignment = statement.namedChild(0);
    if (assignment?.type !== "assignment") continue;
    const left = assignment.childForFieldName("left");
    if (left?.type !== "identifier") continue;
    const type = assignment.childForFieldName("type")?.text;
    const right = assignment.childForFieldName("right") ?? undefined;
    if (type && /^(?:typing\.|t\.)?ClassVar\b/.test(type)) continue;
    if (type && /^(?:dataclasses\.)?KW_ONLY$/.test(type)) {
      kwOnly = true;
      continue;
    }
    const call = right?.type === "call" ? right : undefined;
    const callee = call?.childForFieldName("function")?.text ?? "";
    const isFieldCall = call !== undefined && (style === "dataclass" ? callee === "field" || callee === "dataclasses.field" : style.startsWith("attrs") ? ATTRS_IB.has(callee) : FIELD_CALLS.has(callee));
    // attrs classic: only attr.ib() makes a field; elsewhere an annotation does.
    if (style === "attrs-ib" ? !isFieldCall : !type && !isFieldCall) continue;
    const keywords = isFieldCall ? decoration(call.text, call).keywords : new Map<string, string>();
    if (keywords.get("init") === "False") continue;
    let name = left.text;
    // attrs strips leading underscores from private attributes (`_x` is `x=`), unless aliased.
    if (style.startsWith("attrs")) name = keywords.has("alias") ? keywords.get("alias")!.replace(/^["']|["']$/g, "") : name.replace(/^_+/, "");
    const param: ContractParam = { name, required: true, kind: kwOnly || keywords.get("kw_only") === "True" ? "keyword-only" : "positional-or-keyword" };
    if (type) param.type = normalisePython(type.replace(/^(?:typing\.|typing_extensions\.|t\.)?(?:Required|NotRequired)\[(.*)\]$/s, "$1"));
    const defaultText = isFieldCall ? (keywords.get("default") ?? keywords.get("default_factory") ?? keywords.get("factory")) : right?.text;
    if (defaultText !== undefined) {
      param.required = false;
      param.default = normalisePython(defaultText);
    }
    if (style === "typeddict") {
      param.required = /^(?:typing\.|typing_extensions\.|t\.)?Required\[/.test(type ?? "") || (options.total !== false && !/^(?:typing\.|typing_extensions\.|t\.)?NotRequired\[/.test(type ?? ""));
    }
    // A redefined field keeps its base's position (dataclasses and attrs both do).
    const existing = fields.get(name);
    if (existing) existing.param = param;
    else fields.set(name, { param });
  }
  const params = [...fields.values()].map((f) => f.param);
  return [...params.filter((p) => p.kind !== "keyword-only"), ...params.filter((p) => p.kind === "keyword-only")];
}

/**
 * `collections.namedtuple("P", ["x", "y"], defaults=(0,))` or `namedtuple("P", "x y")`: the
 * generated parameters, the last `len(defaults)` optional. Undefined when the fields are not literal.
 */
export function namedtupleParams(call: Node): ContractParam[] | undefined {
  const callee = call.childForFieldName("function")?.text ?? "";
  if (callee !== "namedtuple" && callee !== "collections.namedtuple") return undefined;
  const args = (call.childForFieldName("arguments")?.namedChildren ?? []).filter((a): a is Node => a !== null);
  const fieldsArg = args.filter((a) => a.type !== "keyword_argument")[1] ?? args.find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === "field_names")?.childForFieldName("value");
  if (!fieldsArg) return undefined;
  let names: string[];
  if (fieldsArg.type === "string") names = literal(fieldsArg).split(/[\s,]+/).filter(Boolean);
  else if (fieldsArg.type === "list" || fieldsArg.type === "tuple") {
    if (fieldsArg.namedChildren.some((c) => c?.type !== "string")) return undefined;
    names = fieldsArg.namedChildren.map((c) => literal(c!));
  } else return undefined;
  const defaults = args.find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === "defaults")?.childForFieldName("value");
  const defaultValues = defaults && (defaults.type === "list" || defaults.type === "tuple") ? defaults.namedChildren.map((c) => normalisePython(c!.text)) : [];
  return names.map((name, i) => {
    const param: ContractParam = { name, required: true, kind: "positional-or-keyword" };
    const d = i - (names.length - defaultValues.length);
    if (d >= 0) {
      param.required = false;
      param.default = defaultValues[d]!;
    }
    return param;
  });
}

function literal(node: Node): string {
  return node.namedChildren
    .filter((c): c is Node => c?.type === "string_content")
    .map((c) => c.text)
    .join("");
}
