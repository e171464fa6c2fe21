import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commentFromText,
  eventComment,
  formatFixed,
  formatRecordingError,
  formatSampleLine,
  parseEventComment,
  RecordingError,
} from '../../shared/recording/index.ts';
import { parseDecimal } from '../../shared/recording/format.ts';

describe('formatFixed', () => {
  it('never writes a negative zero', () => {
    expect(formatFixed(-0.00004, 4)).toBe('0.0000');
    expect(formatFixed(-0, 5)).toBe('0.00000');
    expect(formatFixed(-0.00005, 4)).toBe('-0.0001');
    expect(formatFixed(-1.5, 4)).toBe('-1.5000');
  });

  it('writes rows with 4 decimals for t and acc, 5 for gyr', () => {
    const line = formatSampleLine({ sensor: 'S2', t: 0.0502, ax: -4.2296, ay: 8.828, az: 1.1592, gx: -0.03086, gy: -0.05108, gz: 0.02873 });
    expect(line).toBe('0.0502,S2,-4.2296,8.8280,1.1592,-0.03086,-0.05108,0.02873');
  });
});

describe('parseDecimal', () => {
  const parse = (text: string): number => parseDecimal(text, 0, text.length);

  it('gives the same double as Number() for every plain decimal literal', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 12 }), (value, decimals) => {
        const text = value.toFixed(decimals);
        expect(parse(text)).toBe(Number(text) + 0);
      }),
    );
  });

  it('accepts exponents and signs but rejects what Number() is too lenient about', () => {
    expect(parse('1.5e3')).toBe(1500);
    expect(parse('+2.')).toBe(2);
    expect(parse('.25')).toBe(0.25);
    for (const bad of ['', ' 1', '1 ', '0x10', 'Infinity', 'NaN', '1e', '1e+', '-', '.', '1..2', '1,5', '1e999']) {
      expect(parse(bad), bad).toBeNaN();
    }
  });
});

describe('comments and events', () => {
  it('splits `key: value` comments and keeps free text as is', () => {
    expect(commentFromText('athlete: Ann Lee')).toEqual({ text: 'athlete: Ann Lee', key: 'athlete', value: 'Ann Lee' });
    expect(commentFromText('just a note')).toEqual({ text: 'just a note', key: null, value: 'just a note' });
    expect(() => commentFromText('two\nlines')).toThrow(RangeError);
  });

  it('parses event comments with extra attributes', () => {
    const event = parseEventComment(commentFromText('event: t=12.5 name=standing_start side=left'));
    expect(event).toEqual({ t: 12.5, name: 'standing_start', attributes: { side: 'left' } });
    expect(parseEventComment(commentFromText('athlete: Ann'))).toBeNull();
  });

  it('writes event comments that parse back to the same event', () => {
    const event = { t: 3.25, name: 'tilt_range_start', attributes: { rep: '2' } };
    expect(parseEventComment(eventComment(event))).toEqual(event);
    expect(() => eventComment({ t: 1, name: 'has space', attributes: {} })).toThrow(RangeError);
  });

  it('rejects event comments without t or name', () => {
    expect(() => parseEventComment(commentFromText('event: name=x'))).toThrow(/missing 't=/);
    expect(() => parseEventComment(commentFromText('event: t=1'))).toThrow(/missing 'name=/);
    expect(() => parseEventComment(commentFromText('event: t=abc name=x'))).toThrow(/not a number/);
    expect(() => parseEventComment(commentFromText('event: t=1 name=x junk'))).toThrow(/key=value/);
  });

  it('formats errors as path:line: message', () => {
    expect(formatRecordingError('a/b.csv', new RecordingError(7, 'bad thing'))).toBe('a/b.csv:7: bad thing');
  });
});
