// A spreadsheet reader emits 'end' while its sheet parser is still emitting rows, so the consumer
// closes its output and the last rows are written after the end. Reduced from xlsx-extract issue
// #7: 'end' follows the zip stream's 'close', not the sheet parser's.
// Repository: https://github.com/ffalt/xlsx-extract
// Issue: https://github.com/ffalt/xlsx-extract/issues/7
// Fix: https://github.com/ffalt/xlsx-extract/commit/93e2425d1d5666308282a13e02fe5e574a1a3a32
import { EventEmitter } from 'node:events';

/** A stand-in for the XML parser of one sheet: slow, one row per turn. */
class SheetParser extends EventEmitter {
  parse(rows: string[]): void {
    let i = 0;
    const next = () => {
      if (i < rows.length) {
        this.emit('row', rows[i++]);
        setTimeout(next, 40);
      } else {
        this.emit('close');
      }
    };
    setTimeout(next, 40);
  }
}

/** A stand-in for the unzip stream: finds the sheet entry, then closes once the archive is read. */
class ZipStream extends EventEmitter {
  read(): void {
    setTimeout(() => this.emit('entry', ['id,name', '1,ada', '2,grace', '3,edsger']), 5);
    setTimeout(() => this.emit('close'), 75);
  }
}

class XlsxReader extends EventEmitter {
  extract(): this {
    const zip = new ZipStream();
    zip.on('entry', (rows: string[]) => {
      const parser = new SheetParser();
      parser.on('row', (row: string) => this.emit('row', row));
      parser.parse(rows);
    });
    zip.on('close', () => this.emit('end'));
    zip.read();
    return this;
  }
}

/** The consumer's output stream. */
const output = { ended: false, lines: [] as string[], errors: [] as string[] };

setImmediate(() => {
  new XlsxReader()
    .extract()
    .on('row', (row: string) => {
      if (output.ended) output.errors.push(`write after end: ${row}`);
      else output.lines.push(row);
    })
    .on('end', () => {
      output.ended = true;
      setTimeout(report, 150);
    });
});

function report(): void {
  console.log(`written: ${output.lines.join(' | ')}`);
  for (const e of output.errors) console.log(e);
  if (output.errors.length) {
    console.log(`BUG: ${output.errors.length} row(s) arrived after 'end'`);
    process.exitCode = 1;
  } else {
    console.log('OK: every row arrived before end');
  }
}
