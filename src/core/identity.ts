// People's identities (requesters, approvers, owners) and required free-text fields, as the gate
// reads and compares them. A second person must be a second person: `аlice` with a Cyrillic а,
// `alice` with a zero-width space, full-width `ａｌｉｃｅ` and `alice` must not count as two.
//
// An identity is NFKC-normalised (full-width and styled letters become plain ones), trimmed and
// its inner whitespace collapsed. It is refused when it holds an invisible or format character
// (Unicode Cc, Cf, Co, Cn, Cs, line/paragraph separators, fillers, variation selectors) or mixes
// scripts (Latin with Cyrillic or Greek, say), and it is blank when nothing is left. Two
// identities are the same person when their comparison keys are equal: combining marks dropped,
// the letters of other scripts that look Latin read as Latin (whole-script look-alikes:
// Cyrillic, Greek, Armenian, Coptic, Cherokee, Lisu), case-folded, every dash read as `-` and
// every quote as `'`, rn/vv/cl read as m/w/d, I/l/1/| and O/0 folded, whitespace left out.
//
// Required text (a rollback reference, a reason) is not a name: invisible characters are dropped
// from it, and text that is blank after that counts as missing.

export type IdentityProblem = "blank" | "invisible" | "mixed-script";

export type IdentityCheck =
  | { ok: true; value: string; key: string }
  | { ok: false; problem: IdentityProblem; message: string; key: string };

// Invisible or format characters, and characters that render as nothing or as blank space.
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "gu");

const NAMES: Record<number, string> = {
  0x00ad: "SOFT HYPHEN",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE (BOM)",
};

/** `U+200B ZERO WIDTH SPACE`, for messages. */
function describeCodePoint(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return NAMES[cp] ? `${hex} ${NAMES[cp]}` : hex;
}

const SCRIPTS: [string, RegExp][] = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
  ["Coptic", /\p{Script=Coptic}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Devanagari", /\p{Script=Devanagari}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Han", /\p{Script=Han}/u],
  ["Hiragana", /\p{Script=Hiragana}/u],
  ["Katakana", /\p{Script=Katakana}/u],
  ["Hangul", /\p{Script=Hangul}/u],
];
// Script mixes a real name uses (UTS #39 "highly restrictive"): Latin with Japanese or Korean.
const ALLOWED_MIXES = [new Set(["Latin", "Han", "Hiragana", "Katakana"]), new Set(["Latin", "Han", "Hangul"])];

function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of text) {
    if (!/\p{L}/u.test(char)) continue;
    scripts.add(SCRIPTS.find(([, re]) => re.test(char))?.[0] ?? "Other");
  }
  return scripts;
}

// Cyrillic and Greek letters that look like Latin ones (a subset of Unicode's confusables).
const LOOK_ALIKES: Record<string, string> = {
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", У: "Y", Х: "X",
  І: "I", Ј: "J", Ѕ: "S", Ԛ: "Q", Ԝ: "W", Ү: "Y", Һ: "H", Ӏ: "I",
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", ԛ: "q", ԝ: "w",
  һ: "h", ӏ: "l", ү: "y", ԁ: "d",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T",
  Υ: "Y", Χ: "X",
  ο: "o", ν: "v", α: "a", ι: "i", κ: "k", ρ: "p", υ: "u", χ: "x", ϲ: "c", ϳ: "j",
  // Latin letters that look like other Latin ones (dotless i, script a, small capitals).
  ı: "i", ɩ: "i", ɪ: "i", ǀ: "l", ʟ: "l", ɑ: "a", ɡ: "g", ɢ: "g", ɴ: "n", ʀ: "r", ʏ: "y", ʜ: "h", ʙ: "b", ĸ: "k", ȷ: "j",
  ᴀ: "a", ᴄ: "c", ᴅ: "d", ᴇ: "e", ᴊ: "j", ᴋ: "k", ᴍ: "m", ᴏ: "o", ᴘ: "p", ᴛ: "t", ᴜ: "u", ᴠ: "v", ᴡ: "w", ᴢ: "z", ꜱ: "s",
  // Whole scripts that can spell a Latin name on their own: Cherokee (its small letters are
  // looked up by their capitals), Lisu, Armenian, Coptic.
  Ꭰ: "D", Ꭱ: "R", Ꭲ: "T", Ꭵ: "i", Ꭹ: "Y", Ꭺ: "A", Ꭻ: "J", Ꭼ: "E", Ꮃ: "W", Ꮇ: "M", Ꮋ: "H", Ꮍ: "Y", Ꮐ: "G", Ꮒ: "h",
  Ꮓ: "Z", Ꮟ: "b", Ꮢ: "R", Ꮪ: "S", Ꮮ: "L", Ꮯ: "C", Ꮲ: "P", Ꮶ: "K", Ꮩ: "V", Ᏼ: "B",
  ꓐ: "B", ꓑ: "P", ꓒ: "d", ꓓ: "D", ꓔ: "T", ꓖ: "G", ꓗ: "K", ꓙ: "J", ꓚ: "C", ꓜ: "Z", ꓝ: "F", ꓟ: "M", ꓠ: "N", ꓡ: "L",
  ꓢ: "S", ꓣ: "R", ꓦ: "V", ꓧ: "H", ꓪ: "W", ꓫ: "X", ꓬ: "Y", ꓮ: "A", ꓰ: "E", ꓲ: "I", ꓳ: "O", ꓴ: "U",
  Օ: "O", Ս: "U", Լ: "L", օ: "o", ս: "u", հ: "h", ո: "n", ց: "g", զ: "q",
  Ⲟ: "O", ⲟ: "o", Ⲣ: "P", ⲣ: "p", Ⲥ: "C", ⲥ: "c", Ⲭ: "X", ⲭ: "x", Ⲁ: "A", ⲁ: "a",
};

// Characters that pass for one another in common fonts, folded last: I, l, 1 and | ; O and 0.
const ONE_SHAPE = /[il1|]/g;
// Punctuation that passes for the ASCII one: every dash, the minus signs and the hyphen bullet for
// `-` (`ops-bot` and `ops‐bot` with U+2010 are one name); quotes, primes and modifier letters
// for `'` (`o'brien`, `o’brien`).
const DASHES = /[\p{Pd}\u2212\u02D7\u2043\u2796]/gu;
const QUOTES = /[\p{Pi}\p{Pf}"'`\u00B4\u02B9-\u02BC\u02BE\u02BF\u02C8\u2032-\u2037\u055A\uA78B\uA78C]/gu;
// Letter pairs that read as one letter in common fonts (Unicode's confusables: rn → m, vv → w,
// cl → d), folded before the single shapes.
const PAIRS: [RegExp, string][] = [[/rn/g, "m"], [/vv/g, "w"], [/cl/g, "d"]];

/** NFKC, trimmed, inner whitespace collapsed. */
function normalized(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/gu, " ");
}

/**
 * The comparison key of a normalised identity: combining marks dropped (`i` + U+0307 renders as
 * `i`), look-alikes read as Latin, case-folded, and the letters and digits that share one shape
 * folded together. Two keys that are equal may be two people (`Ian` and `lan`): the gate then
 * wants another approver, which fails closed; keys that differ must never be one person.
 */
function keyOf(value: string): string {
  let out = "";
  for (const char of value.normalize("NFD")) {
    if (/\p{M}/u.test(char)) continue;
    out += LOOK_ALIKES[char] ?? LOOK_ALIKES[char.toUpperCase()] ?? char;
  }
  // Whitespace is left out: NFKC reads a hair, thin or narrow no-break space as a space, so
  // `ali` + U+200A + `ce` looked like `alice` and counted as a second person.
  let key = out.toLowerCase().normalize("NFKC").replace(/\s+/gu, "").replace(DASHES, "-").replace(QUOTES, "'");
  for (const [pair, letter] of PAIRS) key = key.replace(pair, letter);
  return key.replace(ONE_SHAPE, "l").replaceAll("0", "o");
}

/** The text as a message shows it: unchanged, or quoted with its invisible characters spelled out. */
export function shown(text: string): string {
  return INVISIBLE.test(text) ? visible(text) : text;
}

/** The text with its invisible characters spelled out (`alice\u200B`), so a message shows them. */
export function visible(text: string): string {
  let out = "";
  for (const char of text) {
    out += INVISIBLE.test(char) ? `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : JSON.stringify(char).slice(1, -1);
  }
  return `"${out}"`;
}

/** Checks one identity; `what` names it in the message (`approved_by`, `waiver #2 owner`). */
export function checkIdentity(raw: string, what: string): IdentityCheck {
  const stripped = normalized(raw.replace(INVISIBLE_ALL, ""));
  const key = keyOf(stripped);
  const hidden = INVISIBLE.exec(raw) ?? INVISIBLE.exec(raw.normalize("NFKC"));
  if (hidden) {
    return { ok: false, problem: "invisible", key, message: `${what} ${visible(raw)} contains the invisible or format character ${describeCodePoint(hidden[0])}` };
  }
  const value = normalized(raw);
  if (value === "") return { ok: false, problem: "blank", key, message: `${what} is blank: no identity left after NFKC normalisation` };
  const scripts = scriptsOf(value);
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)))) {
    return { ok: false, problem: "mixed-script", key, message: `${what} ${visible(raw)} mixes scripts (${[...scripts].sort().join(" and ")}); look-alike letters can pass for another person` };
  }
  return { ok: true, value, key };
}

/** True when two identities name the same person (both compared by key, refused or not). */
export function sameIdentity(a: string, b: string): boolean {
  return checkIdentity(a, "a").key === checkIdentity(b, "b").key;
}

/** Required text as the gate reads it: invisible characters dropped, NFKC, trimmed; "" = missing. */
export function requiredText(raw: string): string {
  return raw.replace(INVISIBLE_ALL, "").normalize("NFKC").trim();
}
