/** The text samples (scripts/make-text-samples.mjs) go through the real text ingest, as a user's files would. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guessTextColumns, ingestTextCorpus, ingestTextTable, splitTextExamples, textExamples } from './text';

interface TextSamplesModule {
  main(outDir: string): { spamHam: { rows: number; spam: number; ham: number }; moby: { files: number; bytes: number } };
  messageText(raw: string): string | null;
}

// A variable specifier keeps the untyped .mjs out of the type check.
const samplesPath = '../../scripts/make-text-samples.mjs';
const samples = (await import(/* @vite-ignore */ samplesPath)) as TextSamplesModule;

const dir = mkdtempSync(join(tmpdir(), 'studio-text-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const info = samples.main(dir);

describe('text samples', () => {
  it('spam-ham.csv parses to 200 spam and 200 ham with the guessed columns', async () => {
    const bytes = readFileSync(join(dir, 'spam-ham.csv'));
    const table = await ingestTextTable(new File([bytes], 'spam-ham.csv'));
    expect(table.columns).toEqual(['text', 'label']);
    expect(table.unevenRows).toEqual([]);
    const columns = guessTextColumns(table);
    expect(columns).toEqual({ textColumn: 'text', labelColumn: 'label' });
    const out = textExamples(table, { textColumn: 'text', labelColumn: 'label' });
    expect(out.labels).toEqual(['ham', 'spam']);
    expect(out.counts).toEqual([200, 200]);
    expect(out.warnings).toEqual([]);
    expect(info.spamHam).toMatchObject({ rows: 400, spam: 200, ham: 200 });
    for (const e of out.examples) {
      expect(e.text.length).toBeGreaterThanOrEqual(40);
      expect(e.text.length).toBeLessThanOrEqual(600);
      // The transport headers are gone (a quoted reply may still hold From: or Date: lines).
      expect(e.text).not.toMatch(/^(Received|Return-Path|Delivered-To|Content-Transfer-Encoding):/im);
      expect(e.text).not.toMatch(/<(html|body|font|table|br)\b/i);
    }
    // Real messages put commas, quotes and line breaks inside the quoted CSV fields.
    expect(out.examples.some((e) => e.text.includes('\n'))).toBe(true);
    expect(out.examples.some((e) => e.text.includes('"'))).toBe(true);
    const split = splitTextExamples(out.examples, 0.2, 1);
    expect(split.val.filter((e) => e.label === 'spam')).toHaveLength(40);
    expect(readFileSync(join(dir, 'spam-ham.LICENSE.txt'), 'utf8')).toContain('PDDL 1.0');
  });

  it('is the same every run', () => {
    const again = mkdtempSync(join(tmpdir(), 'studio-text-samples-'));
    try {
      samples.main(again);
      expect(readFileSync(join(again, 'spam-ham.csv'))).toEqual(readFileSync(join(dir, 'spam-ham.csv')));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('the Moby Dick chapters ingest as a generation corpus under 200 KB', async () => {
    const textDir = join(dir, 'text');
    const names = readdirSync(textDir)
      .filter((n) => n.endsWith('.txt'))
      .sort();
    expect(names).toHaveLength(5);
    const docs = await ingestTextCorpus(names.map((n) => new File([readFileSync(join(textDir, n))], n)));
    expect(docs[0]?.text.startsWith('CHAPTER 1. Loomings.')).toBe(true);
    expect(docs.reduce((n, d) => n + d.bytes, 0)).toBeLessThan(200 * 1024);
    const manifest = JSON.parse(readFileSync(join(textDir, 'manifest.json'), 'utf8')) as { files: string[]; licence: string };
    expect(manifest.files).toEqual(names);
    expect(manifest.licence).toContain('Public domain');
  });

  it('turns a MIME message into its subject and plain-text body', () => {
    const raw = [
      'From: a@example.com',
      'Subject: =?iso-8859-1?Q?Caf=E9?= news',
      'Content-Type: multipart/alternative; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/html; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<html><body><p>Hello <b>there</b>, caf=E9 &amp; cr=',
      'oissants for everyone today.</p></body></html>',
      '--XX--',
      '',
    ].join('\n');
    expect(samples.messageText(raw)).toBe('Café news\n\nHello there , café & croissants for everyone today.');
  });
});
