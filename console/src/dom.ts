// DOM building without HTML strings: every piece of server data becomes a text node or an
// attribute value, never markup. Nothing in the console parses HTML (test/console checks the
// sources and the bundle for every such sink), so a finding message containing `<script>` is
// shown as the text it is.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttributes(element: Element, attrs: Attrs | null | undefined): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      if (!name.startsWith("on")) throw new Error(`${name}: only on* attributes take a listener`);
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name.startsWith("on")) {
      // An event-handler attribute from a string would be script from data.
      throw new Error(`${name}: event handlers are listeners, never strings`);
    } else if (name === "value" && "value" in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** An HTML element with attributes (listeners as `onclick`…) and children (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attrs);
  append(element, children);
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attrs);
  append(element, children);
  return element;
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A hash link to one of the console's pages, its path segments encoded. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

let unique = 0;
export function uniqueId(prefix: string): string {
  unique++;
  return `${prefix}-${unique}`;
}

export function shortHash(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : "—";
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A severity or verdict label: a word and a class, never colour alone. */
export function badge(kind: string, text: string = kind): HTMLSpanElement {
  return h("span", { class: `badge badge-${kind.replace(/[^a-z-]/g, "")}` }, text);
}
