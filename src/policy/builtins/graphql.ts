// graphql.* as topdown computes them (v1/topdown/graphql.go): documents parsed and validated by
// graphql-js, their ASTs shown in the shape topdown returns, which is gqlparser's Go structs as
// JSON with every null, empty list, empty object and Position pruned (zero strings, booleans and
// numbers stay: "Description": "", "BuiltIn": false). ASTs given as objects are read back as
// Go's encoding/json reads them into those structs (keys matched without case, unknown keys
// ignored, every selection read as a Field, as gqlparser's UnmarshalSelectionSet does).
//
// Where the two libraries differ, gqlparser's behaviour is reproduced: a schema needs no Query
// type, extending an undefined type defines it, and the built-in directives may be redeclared.
// gqlparser keeps comments in its AST by rules that follow its parser's token handling; a
// document with comments is therefore answered by OPA's topdown (TopdownOnly, topdown.ts) in the
// builtins that return an AST, or refused without the builtins module, never shown without them.

import { createRequire } from "node:module";
import { Kind } from "graphql/language/kinds.js";
import { TokenKind } from "graphql/language/tokenKind.js";
import type {
  GraphQLError,
  GraphQLSchema,
  ArgumentNode,
  ConstDirectiveNode,
  ConstValueNode,
  DefinitionNode,
  DirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
  NameNode,
  SelectionNode,
  TypeNode,
  ValueNode,
  VariableDefinitionNode,
} from "graphql";

/** graphql-js, loaded on the first graphql.* call: most policies never pay for it. */
type GraphQL = typeof import("graphql");
let loaded: GraphQL | undefined;
const gql = (): GraphQL => (loaded ??= createRequire(import.meta.url)("graphql") as GraphQL);

import { BuiltinError, OperandError, TopdownOnly, valueName } from "./errors.js";
import { isSet } from "./values.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

class GraphQLParseError extends BuiltinError {}

// ---------------------------------------------------------------------------------------------
// Parsing text

const EXECUTABLE = new Set<string>([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);

function parseText(text: string, executable: boolean, needsComments: boolean): DocumentNode {
  let doc: DocumentNode;
  try {
    // gqlparser reads a document with no definitions as empty; graphql-js refuses it.
    if (new (gql().Lexer)(new (gql().Source)(text)).advance().kind === TokenKind.EOF) return { kind: Kind.DOCUMENT, definitions: [] };
    doc = gql().parse(new (gql().Source)(text), { noLocation: false, allowLegacyFragmentVariables: true });
  } catch (error) {
    throw new GraphQLParseError(graphqlMessage(error));
  }
  for (const def of doc.definitions) {
    if (EXECUTABLE.has(def.kind) !== executable) throw new GraphQLParseError(`GraphQL parse error: unexpected ${def.kind} in a ${executable ? "query" : "schema"}`);
  }
  if (needsComments && hasComment(doc)) {
    throw new TopdownOnly("GraphQL documents with comments are not supported by gatehouse (gqlparser keeps them in the AST)");
  }
  return doc;
}

function hasComment(doc: DocumentNode): boolean {
  for (let token = doc.loc?.startToken; token; token = token.next ?? undefined) {
    if (token.kind === TokenKind.COMMENT) return true;
    if (token.kind === TokenKind.EOF) break;
  }
  return false;
}

/** A graphql-js error as topdown words a gqlparser error with a location. */
function graphqlMessage(error: unknown): string {
  if (error instanceof gql().GraphQLError) {
    const message = error.message.replace(/^Syntax Error: /, "").replace(/\.$/, "");
    const at = error.locations?.[0];
    return at ? `${message} in GraphQL string at location ${at.line}:${at.column}` : `GraphQL parse error: ${message}`;
  }
  return (error as Error).message;
}

// ---------------------------------------------------------------------------------------------
// graphql-js AST -> topdown's pruned gqlparser AST

function put(out: Obj, key: string, value: Json | undefined): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

const VALUE_KIND: Record<string, number> = {
  [Kind.VARIABLE]: 0,
  [Kind.INT]: 1,
  [Kind.FLOAT]: 2,
  [Kind.STRING]: 3,
  [Kind.BOOLEAN]: 5,
  [Kind.NULL]: 6,
  [Kind.ENUM]: 7,
  [Kind.LIST]: 8,
  [Kind.OBJECT]: 9,
};

function valueOut(node: ValueNode): Obj {
  const out: Obj = {};
  let raw = "";
  let kind = VALUE_KIND[node.kind]!;
  switch (node.kind) {
    case Kind.VARIABLE:
      raw = node.name.value;
      break;
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.ENUM:
      raw = node.value;
      break;
    case Kind.STRING:
      raw = node.value;
      if (node.block) kind = 4;
      break;
    case Kind.BOOLEAN:
      raw = node.value ? "true" : "false";
      break;
    case Kind.NULL:
      raw = "null";
      break;
    case Kind.LIST:
      put(
        out,
        "Children",
        node.values.map((v) => ({ Name: "", Value: valueOut(v) })),
      );
      break;
    case Kind.OBJECT:
      put(
        out,
        "Children",
        node.fields.map((f) => ({ Name: f.name.value, Value: valueOut(f.value) })),
      );
      break;
  }
  out.Raw = raw;
  out.Kind = kind;
  out.ExpectedTypeHasDefault = false;
  return out;
}

function typeOut(node: TypeNode): Obj {
  if (node.kind === Kind.NON_NULL_TYPE) return { ...typeOut(node.type), NonNull: true };
  if (node.kind === Kind.LIST_TYPE) return { NamedType: "", Elem: typeOut(node.type), NonNull: false };
  return { NamedType: node.name.value, NonNull: false };
}

const argumentsOut = (args: readonly ArgumentNode[] | undefined): Json[] => (args ?? []).map((a) => ({ Name: a.name.value, Value: valueOut(a.value) }));

function directivesOut(dirs: readonly (DirectiveNode | ConstDirectiveNode)[] | undefined): Json[] {
  return (dirs ?? []).map((d) => {
    const out: Obj = { Name: d.name.value };
    put(out, "Arguments", argumentsOut(d.arguments));
    out.Location = "";
    return out;
  });
}

function selectionsOut(selections: readonly SelectionNode[] | undefined): Json[] {
  return (selections ?? []).map((s) => {
    const out: Obj = {};
    if (s.kind === Kind.FIELD) {
      out.Alias = (s.alias ?? s.name).value;
      out.Name = s.name.value;
      put(out, "Arguments", argumentsOut(s.arguments));
      put(out, "Directives", directivesOut(s.directives));
      put(out, "SelectionSet", selectionsOut(s.selectionSet?.selections));
    } else if (s.kind === Kind.FRAGMENT_SPREAD) {
      out.Name = s.name.value;
      put(out, "Directives", directivesOut(s.directives));
    } else {
      out.TypeCondition = s.typeCondition?.name.value ?? "";
      put(out, "Directives", directivesOut(s.directives));
      put(out, "SelectionSet", selectionsOut(s.selectionSet.selections));
    }
    return out;
  });
}

function variablesOut(defs: readonly VariableDefinitionNode[] | undefined): Json[] {
  return (defs ?? []).map((v) => {
    const out: Obj = { Variable: v.variable.name.value, Type: typeOut(v.type) };
    if (v.defaultValue) out.DefaultValue = valueOut(v.defaultValue);
    put(out, "Directives", directivesOut(v.directives));
    out.Used = false;
    return out;
  });
}

function queryOut(doc: DocumentNode): Obj {
  const operations: Json[] = [];
  const fragments: Json[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      const out: Obj = { Operation: def.operation, Name: def.name?.value ?? "" };
      put(out, "VariableDefinitions", variablesOut(def.variableDefinitions));
      put(out, "Directives", directivesOut(def.directives));
      put(out, "SelectionSet", selectionsOut(def.selectionSet.selections));
      operations.push(out);
    } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
      const out: Obj = { Name: def.name.value, TypeCondition: def.typeCondition.name.value };
      put(out, "VariableDefinition", variablesOut(def.variableDefinitions));
      put(out, "Directives", directivesOut(def.directives));
      put(out, "SelectionSet", selectionsOut(def.selectionSet.selections));
      fragments.push(out);
    }
  }
  const out: Obj = {};
  put(out, "Operations", operations);
  put(out, "Fragments", fragments);
  return out;
}

function inputValueOut(node: InputValueDefinitionNode): Obj {
  const out: Obj = { Description: node.description?.value ?? "", Name: node.name.value };
  if (node.defaultValue) out.DefaultValue = valueOut(node.defaultValue);
  out.Type = typeOut(node.type);
  put(out, "Directives", directivesOut(node.directives));
  return out;
}

function fieldOut(node: FieldDefinitionNode): Obj {
  const out: Obj = { Description: node.description?.value ?? "", Name: node.name.value };
  put(out, "Arguments", (node.arguments ?? []).map(inputValueOut));
  out.Type = typeOut(node.type);
  put(out, "Directives", directivesOut(node.directives));
  return out;
}

const DEFINITION_KIND: Record<string, string> = {
  [Kind.SCALAR_TYPE_DEFINITION]: "SCALAR",
  [Kind.OBJECT_TYPE_DEFINITION]: "OBJECT",
  [Kind.INTERFACE_TYPE_DEFINITION]: "INTERFACE",
  [Kind.UNION_TYPE_DEFINITION]: "UNION",
  [Kind.ENUM_TYPE_DEFINITION]: "ENUM",
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: "INPUT_OBJECT",
  [Kind.SCALAR_TYPE_EXTENSION]: "SCALAR",
  [Kind.OBJECT_TYPE_EXTENSION]: "OBJECT",
  [Kind.INTERFACE_TYPE_EXTENSION]: "INTERFACE",
  [Kind.UNION_TYPE_EXTENSION]: "UNION",
  [Kind.ENUM_TYPE_EXTENSION]: "ENUM",
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: "INPUT_OBJECT",
};

function definitionOut(def: DefinitionNode): Obj {
  const d = def as DefinitionNode & {
    description?: { value: string };
    name: NameNode;
    directives?: readonly ConstDirectiveNode[];
    interfaces?: readonly { name: NameNode }[];
    fields?: readonly (FieldDefinitionNode | InputValueDefinitionNode)[];
    types?: readonly { name: NameNode }[];
    values?: readonly { description?: { value: string }; name: NameNode; directives?: readonly ConstDirectiveNode[] }[];
  };
  const out: Obj = { Kind: DEFINITION_KIND[def.kind]!, Description: d.description?.value ?? "", Name: d.name.value };
  put(out, "Directives", directivesOut(d.directives));
  put(
    out,
    "Interfaces",
    (d.interfaces ?? []).map((i) => i.name.value),
  );
  put(
    out,
    "Fields",
    (d.fields ?? []).map((f) => (f.kind === Kind.FIELD_DEFINITION ? fieldOut(f) : inputValueOut(f))),
  );
  put(
    out,
    "Types",
    (d.types ?? []).map((t) => t.name.value),
  );
  put(
    out,
    "EnumValues",
    (d.values ?? []).map((v) => {
      const e: Obj = { Description: v.description?.value ?? "", Name: v.name.value };
      put(e, "Directives", directivesOut(v.directives));
      return e;
    }),
  );
  out.BuiltIn = false;
  return out;
}

function schemaOut(doc: DocumentNode): Obj {
  const schema: Json[] = [];
  const schemaExtension: Json[] = [];
  const directives: Json[] = [];
  const definitions: Json[] = [];
  const extensions: Json[] = [];
  for (const def of doc.definitions) {
    switch (def.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION: {
        const out: Obj = { Description: def.kind === Kind.SCHEMA_DEFINITION ? (def.description?.value ?? "") : "" };
        put(out, "Directives", directivesOut(def.directives));
        put(
          out,
          "OperationTypes",
          (def.operationTypes ?? []).map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
        );
        (def.kind === Kind.SCHEMA_DEFINITION ? schema : schemaExtension).push(out);
        break;
      }
      case Kind.DIRECTIVE_DEFINITION: {
        const out: Obj = { Description: def.description?.value ?? "", Name: def.name.value };
        put(out, "Arguments", (def.arguments ?? []).map(inputValueOut));
        put(
          out,
          "Locations",
          def.locations.map((l) => l.value),
        );
        out.IsRepeatable = def.repeatable;
        directives.push(out);
        break;
      }
      default:
        (def.kind.endsWith("Extension") ? extensions : definitions).push(definitionOut(def));
    }
  }
  const out: Obj = {};
  put(out, "Schema", schema);
  put(out, "SchemaExtension", schemaExtension);
  put(out, "Directives", directives);
  put(out, "Definitions", definitions);
  put(out, "Extensions", extensions);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Objects (Go's encoding/json into gqlparser's structs) -> graphql-js AST

/** The value of a struct field: encoding/json matches keys without regard to case. */
function field(obj: Obj, name: string): Json | undefined {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function bad(what: string, value: unknown): never {
  throw new GraphQLParseError(`json: cannot unmarshal ${valueName(value)} into Go value of type ${what}`);
}

function str(obj: Obj, name: string): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") bad("string", v);
  return v;
}

function bool(obj: Obj, name: string): boolean {
  const v = field(obj, name);
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") bad("bool", v);
  return v;
}

function objOf(v: Json | undefined, what: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) bad(what, v);
  return v;
}

function list(obj: Obj, name: string, what: string): Obj[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad(`[]${what}`, v);
  return v.map((item) => objOf(item, what) ?? {});
}

function strings(obj: Obj, name: string): string[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad("[]string", v);
  return v.map((item) => {
    if (item === null) return "";
    if (typeof item !== "string") bad("string", item);
    return item;
  });
}

const nameNode = (value: string): NameNode => ({ kind: Kind.NAME, value });

function valueIn(obj: Obj): ValueNode {
  const kindValue = field(obj, "Kind") ?? 0;
  if (typeof kindValue !== "number" || !Number.isInteger(kindValue)) bad("ast.ValueKind", kindValue);
  const raw = str(obj, "Raw");
  const children = list(obj, "Children", "ast.ChildValue");
  const child = (c: Obj): ValueNode => valueIn(objOf(field(c, "Value"), "ast.Value") ?? {});
  switch (kindValue) {
    case 0:
      return { kind: Kind.VARIABLE, name: nameNode(raw) };
    case 1:
      return { kind: Kind.INT, value: raw };
    case 2:
      return { kind: Kind.FLOAT, value: raw };
    case 3:
      return { kind: Kind.STRING, value: raw };
    case 4:
      return { kind: Kind.STRING, value: raw, block: true };
    case 5:
      return { kind: Kind.BOOLEAN, value: raw === "true" };
    case 6:
      return { kind: Kind.NULL };
    case 7:
      return { kind: Kind.ENUM, value: raw };
    case 8:
      return { kind: Kind.LIST, values: children.map(child) };
    case 9:
      return { kind: Kind.OBJECT, fields: children.map((c) => ({ kind: Kind.OBJECT_FIELD, name: nameNode(str(c, "Name")), value: child(c) })) };
    default:
      // gqlparser's Value.Value errors on an unknown kind; the validator treats it as invalid.
      throw new GraphQLParseError(`unknown value kind ${kindValue}`);
  }
}

function optionalValue(obj: Obj, name: string): ValueNode | undefined {
  const v = objOf(field(obj, name), "ast.Value");
  return v ? valueIn(v) : undefined;
}

function typeIn(obj: Obj | undefined): TypeNode {
  // A missing type is a nil *Type: gqlparser's validator would dereference it; it is invalid.
  if (!obj) throw new GraphQLParseError("missing type");
  const elem = objOf(field(obj, "Elem"), "ast.Type");
  const named = str(obj, "NamedType");
  const inner: TypeNode = named !== "" || !elem ? { kind: Kind.NAMED_TYPE, name: nameNode(named) } : { kind: Kind.LIST_TYPE, type: typeIn(elem) };
  return bool(obj, "NonNull") ? { kind: Kind.NON_NULL_TYPE, type: inner } : inner;
}

const argumentsIn = (obj: Obj): ArgumentNode[] =>
  list(obj, "Arguments", "ast.Argument").map((a) => ({ kind: Kind.ARGUMENT, name: nameNode(str(a, "Name")), value: optionalValue(a, "Value") ?? { kind: Kind.NULL } }));

const directivesIn = (obj: Obj): DirectiveNode[] =>
  list(obj, "Directives", "ast.Directive").map((d) => ({ kind: Kind.DIRECTIVE, name: nameNode(str(d, "Name")), arguments: argumentsIn(d) }));

/** gqlparser's UnmarshalSelectionSet: every selection object reads as a Field. */
function selectionSetIn(obj: Obj): { kind: Kind.SELECTION_SET; selections: SelectionNode[] } | undefined {
  const items = list(obj, "SelectionSet", "ast.Selection");
  if (items.length === 0) return undefined;
  return {
    kind: Kind.SELECTION_SET,
    selections: items.map((s) => {
      const name = str(s, "Name");
      const alias = str(s, "Alias");
      const sub = selectionSetIn(s);
      return {
        kind: Kind.FIELD,
        ...(alias !== "" && alias !== name ? { alias: nameNode(alias) } : {}),
        name: nameNode(name),
        arguments: argumentsIn(s),
        directives: directivesIn(s),
        ...(sub ? { selectionSet: sub } : {}),
      };
    }),
  };
}

const emptySelectionSet = { kind: Kind.SELECTION_SET, selections: [] } as const;

function queryIn(doc: Obj): DocumentNode {
  const definitions: DefinitionNode[] = [];
  for (const op of list(doc, "Operations", "ast.OperationDefinition")) {
    const operation = str(op, "Operation");
    const name = str(op, "Name");
    definitions.push({
      kind: Kind.OPERATION_DEFINITION,
      operation: (operation === "" ? "query" : operation) as never,
      ...(name ? { name: nameNode(name) } : {}),
      variableDefinitions: list(op, "VariableDefinitions", "ast.VariableDefinition").map((v) => ({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: nameNode(str(v, "Variable")) },
        type: typeIn(objOf(field(v, "Type"), "ast.Type")),
        ...(optionalValue(v, "DefaultValue") ? { defaultValue: optionalValue(v, "DefaultValue") as ConstValueNode } : {}),
        directives: directivesIn(v) as ConstDirectiveNode[],
      })),
      directives: directivesIn(op),
      selectionSet: selectionSetIn(op) ?? emptySelectionSet,
    });
  }
  for (const frag of list(doc, "Fragments", "ast.FragmentDefinition")) {
    definitions.push({
      kind: Kind.FRAGMENT_DEFINITION,
      name: nameNode(str(frag, "Name")),
      typeCondition: { kind: Kind.NAMED_TYPE, name: nameNode(str(frag, "TypeCondition")) },
      directives: directivesIn(frag),
      selectionSet: selectionSetIn(frag) ?? emptySelectionSet,
    });
  }
  return { kind: Kind.DOCUMENT, definitions };
}

function inputValueIn(obj: Obj): InputValueDefinitionNode {
  const description = str(obj, "Description");
  const defaultValue = optionalValue(obj, "DefaultValue");
  return {
    kind: Kind.INPUT_VALUE_DEFINITION,
    ...(description ? { description: { kind: Kind.STRING, value: description } } : {}),
    name: nameNode(str(obj, "Name")),
    type: typeIn(objOf(field(obj, "Type"), "ast.Type")),
    ...(defaultValue ? { defaultValue: defaultValue as ConstValueNode } : {}),
    directives: directivesIn(obj) as ConstDirectiveNode[],
  };
}

const DEFINITION_NODE: Record<string, [Kind, Kind]> = {
  SCALAR: [Kind.SCALAR_TYPE_DEFINITION, Kind.SCALAR_TYPE_EXTENSION],
  OBJECT: [Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION],
  INTERFACE: [Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION],
  UNION: [Kind.UNION_TYPE_DEFINITION, Kind.UNION_TYPE_EXTENSION],
  ENUM: [Kind.ENUM_TYPE_DEFINITION, Kind.ENUM_TYPE_EXTENSION],
  INPUT_OBJECT: [Kind.INPUT_OBJECT_TYPE_DEFINITION, Kind.INPUT_OBJECT_TYPE_EXTENSION],
};

function definitionIn(obj: Obj, extension: boolean): DefinitionNode {
  const kindName = str(obj, "Kind");
  const kinds = DEFINITION_NODE[kindName];
  if (!kinds) throw new GraphQLParseError(`unknown definition kind ${JSON.stringify(kindName)}`);
  const kind = kinds[extension ? 1 : 0];
  const description = str(obj, "Description");
  const node: Record<string, unknown> = {
    kind,
    ...(description && !extension ? { description: { kind: Kind.STRING, value: description } } : {}),
    name: nameNode(str(obj, "Name")),
    directives: directivesIn(obj),
  };
  const fields = list(obj, "Fields", "ast.FieldDefinition");
  switch (kindName) {
    case "OBJECT":
    case "INTERFACE":
      node.interfaces = strings(obj, "Interfaces").map((n) => ({ kind: Kind.NAMED_TYPE, name: nameNode(n) }));
      node.fields = fields.map((f) => {
        const fd = inputValueIn(f);
        return { ...fd, kind: Kind.FIELD_DEFINITION, arguments: list(f, "Arguments", "ast.ArgumentDefinition").map(inputValueIn), defaultValue: undefined };
      });
      break;
    case "INPUT_OBJECT":
      node.fields = fields.map(inputValueIn);
      break;
    case "UNION":
      node.types = strings(obj, "Types").map((n) => ({ kind: Kind.NAMED_TYPE, name: nameNode(n) }));
      break;
    case "ENUM":
      node.values = list(obj, "EnumValues", "ast.EnumValueDefinition").map((v) => ({
        kind: Kind.ENUM_VALUE_DEFINITION,
        ...(str(v, "Description") ? { description: { kind: Kind.STRING, value: str(v, "Description") } } : {}),
        name: nameNode(str(v, "Name")),
        directives: directivesIn(v),
      }));
      break;
  }
  return node as unknown as DefinitionNode;
}

function schemaIn(doc: Obj): DocumentNode {
  const definitions: DefinitionNode[] = [];
  for (const [key, extension] of [
    ["Schema", false],
    ["SchemaExtension", true],
  ] as const) {
    for (const s of list(doc, key, "ast.SchemaDefinition")) {
      definitions.push({
        kind: extension ? Kind.SCHEMA_EXTENSION : Kind.SCHEMA_DEFINITION,
        directives: directivesIn(s) as ConstDirectiveNode[],
        operationTypes: list(s, "OperationTypes", "ast.OperationTypeDefinition").map((o) => ({
          kind: Kind.OPERATION_TYPE_DEFINITION,
          operation: str(o, "Operation") as never,
          type: { kind: Kind.NAMED_TYPE, name: nameNode(str(o, "Type")) },
        })),
      } as DefinitionNode);
    }
  }
  for (const d of list(doc, "Directives", "ast.DirectiveDefinition")) {
    definitions.push({
      kind: Kind.DIRECTIVE_DEFINITION,
      name: nameNode(str(d, "Name")),
      arguments: list(d, "Arguments", "ast.ArgumentDefinition").map(inputValueIn),
      repeatable: bool(d, "IsRepeatable"),
      locations: strings(d, "Locations").map(nameNode),
    });
  }
  for (const d of list(doc, "Definitions", "ast.Definition")) definitions.push(definitionIn(d, false));
  for (const d of list(doc, "Extensions", "ast.Definition")) definitions.push(definitionIn(d, true));
  return { kind: Kind.DOCUMENT, definitions };
}

// ---------------------------------------------------------------------------------------------
// Validation

const BUILTIN_DIRECTIVES = new Set(["include", "skip", "deprecated", "specifiedBy", "defer", "oneOf"]);

/** The schema as gqlparser's ValidateSchemaDocument accepts it, or its first error. */
function buildSchema(doc: DocumentNode): GraphQLSchema {
  // gqlparser: extending an undefined type defines it; redeclaring a built-in directive keeps the first.
  const defined = new Set<string>();
  for (const def of doc.definitions) if ("name" in def && def.name && !def.kind.endsWith("Extension") && def.kind !== Kind.DIRECTIVE_DEFINITION) defined.add(def.name.value);
  const definitions: DefinitionNode[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.DIRECTIVE_DEFINITION && BUILTIN_DIRECTIVES.has(def.name.value)) continue;
    const kind = def.kind as string;
    if (kind.endsWith("TypeExtension") && "name" in def && def.name && !defined.has(def.name.value)) {
      defined.add(def.name.value);
      definitions.push({ ...def, kind: kind.replace("Extension", "Definition") } as unknown as DefinitionNode);
      continue;
    }
    definitions.push(def);
  }
  let schema: GraphQLSchema;
  try {
    schema = gql().buildASTSchema({ kind: Kind.DOCUMENT, definitions });
  } catch (error) {
    throw new GraphQLParseError(`Error in gqlparser SchemaDocument to Schema conversion: ${graphqlMessage(error)}`);
  }
  const errors = gql().validateSchema(schema).filter((e) => !/^Query root type must be provided/.test(e.message));
  if (errors.length > 0) throw new GraphQLParseError(`Error in gqlparser SchemaDocument to Schema conversion: ${graphqlMessage(errors[0])}`);
  // Validated: built again as valid, so that graphql-js validates queries against a schema with no Query type.
  return gql().buildASTSchema({ kind: Kind.DOCUMENT, definitions }, { assumeValid: true, assumeValidSDL: true });
}

function validateQuery(schema: GraphQLSchema, query: DocumentNode): void {
  // An empty query has nothing to check (gqlparser accepts it against any schema; graphql-js's
  // validate would first demand a Query root type of the schema).
  if (query.definitions.length === 0) return;
  // gqlparser's KnownRootType rule (graphql-js 16 has none).
  for (const def of query.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION && !schema.getRootType(def.operation)) {
      throw new GraphQLParseError(`Schema does not support operation type "${def.operation}"`);
    }
  }
  let errors: readonly GraphQLError[];
  try {
    errors = gql().validate(schema, query, gql().specifiedRules);
  } catch (error) {
    throw new GraphQLParseError(graphqlMessage(error));
  }
  if (errors.length > 0) throw new GraphQLParseError(graphqlMessage(errors[0]));
}

// ---------------------------------------------------------------------------------------------
// The builtins

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isSet(value);
}

function queryOperand(value: unknown, position: number, needsComments: boolean): DocumentNode {
  if (typeof value === "string") return parseText(value, true, needsComments);
  if (isObject(value)) return queryIn(value);
  throw new OperandError(`operand ${position} must be one of {string, object} but got ${valueName(value)}`);
}

function schemaOperand(value: unknown, position: number, needsComments: boolean): DocumentNode {
  if (typeof value === "string") return parseText(value, false, needsComments);
  if (isObject(value)) return schemaIn(value);
  throw new OperandError(`operand ${position} must be one of {string, object} but got ${valueName(value)}`);
}

/** The ASTs as topdown returns them: an object operand read into gqlparser's structs and shown again. */
function schemaAst(doc: DocumentNode): Json {
  return schemaOut(doc);
}

function queryAst(doc: DocumentNode): Json {
  return queryOut(doc);
}

/** Whether evaluating `fn` succeeds: the answer of the builtins that return false on any error. */
function succeeds(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof GraphQLParseError || error instanceof gql().GraphQLError) return false;
    throw error;
  }
}

export const GRAPHQL_BUILTINS = {
  "graphql.parse_query": (query: unknown): Json => {
    if (typeof query !== "string") throw new OperandError(`operand 1 must be string but got ${valueName(query)}`);
    return queryOut(parseText(query, true, true));
  },
  "graphql.parse_schema": (schema: unknown): Json => {
    if (typeof schema !== "string") throw new OperandError(`operand 1 must be string but got ${valueName(schema)}`);
    return schemaOut(parseText(schema, false, true));
  },
  "graphql.parse": (query: unknown, schema: unknown): Json => {
    const queryDoc = queryOperand(query, 0, true);
    const schemaDoc = schemaOperand(schema, 1, true);
    validateQuery(buildSchema(schemaDoc), queryDoc);
    return [queryAst(queryDoc), schemaAst(schemaDoc)];
  },
  "graphql.parse_and_verify": (query: unknown, schema: unknown): Json => {
    let result: Json = [false, {}, {}];
    if (!(typeof query === "string" || isObject(query)) || !(typeof schema === "string" || isObject(schema))) return result;
    succeeds(() => {
      const queryDoc = queryOperand(query, 0, true);
      const schemaDoc = schemaOperand(schema, 1, true);
      validateQuery(buildSchema(schemaDoc), queryDoc);
      result = [true, queryAst(queryDoc), schemaAst(schemaDoc)];
    });
    return result;
  },
  "graphql.is_valid": (query: unknown, schema: unknown): boolean =>
    (typeof query === "string" || isObject(query)) &&
    (typeof schema === "string" || isObject(schema)) &&
    succeeds(() => validateQuery(buildSchema(schemaOperand(schema, 1, false)), queryOperand(query, 0, false))),
  "graphql.schema_is_valid": (schema: unknown): boolean => (typeof schema === "string" || isObject(schema)) && succeeds(() => buildSchema(schemaOperand(schema, 1, false))),
} satisfies Record<string, (...args: never[]) => unknown>;
