// Fixed version of bug.ts (simplecrawler): the crawler is marked running at once and
// the crawl loop starts in the callback of the insert of the initial URL.
// Repository: https://github.com/simplecrawler/simplecrawler
// Issue: none filed; the fixing commit names the race
// Fix: https://github.com/simplecrawler/simplecrawler/commit/d39434cb0f094d3e111bc52b9552ddbd11ea9557
import { EventEmitter } from 'node:events';

interface QueueItem { url: string; fetched: boolean; status: string }

/** A queue kept in a database: reads answer after 5 ms, inserts after 300 ms. */
class FetchQueue {
  items: QueueItem[] = [];
  getLength(cb: (length: number) => void): void {
    setTimeout(() => cb(this.items.length), 5);
  }
  add(item: QueueItem, cb: () => void): void {
    setTimeout(() => {
      this.items.push(item);
      cb();
    }, 300);
  }
  oldestUnfetchedItem(cb: (item: QueueItem | undefined) => void): void {
    setTimeout(() => cb(this.items.find((i) => i.status === 'queued')), 5);
  }
  countFetched(cb: (fetched: number, total: number) => void): void {
    setTimeout(() => cb(this.items.filter((i) => i.fetched).length, this.items.length), 5);
  }
}

const site: Record<string, string[]> = { '/': ['/docs'], '/docs': [] };

class Crawler extends EventEmitter {
  queue = new FetchQueue();
  running = false;
  openRequests = 0;
  crawlIntervalID: NodeJS.Timeout | null = null;

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.queue.getLength((length) => {
      const begin = () => process.nextTick(() => {
        this.crawlIntervalID = setInterval(() => this.crawl(), 10);
        this.crawl();
        this.emit('crawlstart');
      });
      if (!length) this.queue.add({ url: '/', fetched: false, status: 'queued' }, begin);
      else begin();
    });
    return this;
  }

  crawl(): void {
    this.queue.oldestUnfetchedItem((item) => {
      if (item) {
        this.fetchQueueItem(item);
      } else if (this.openRequests === 0) {
        this.queue.countFetched((fetched, total) => {
          if (this.running && fetched === total) {
            clearInterval(this.crawlIntervalID!);
            this.running = false;
            this.emit('complete');
          }
        });
      }
    });
  }

  fetchQueueItem(item: QueueItem): void {
    item.status = 'spooled';
    this.openRequests++;
    setTimeout(() => {
      item.fetched = true;
      item.status = 'downloaded';
      this.emit('fetchcomplete', item.url);
      for (const link of site[item.url]) this.queue.add({ url: link, fetched: false, status: 'queued' }, () => undefined);
      this.openRequests--;
    }, 10);
  }
}

const crawler = new Crawler();
const fetched: string[] = [];
crawler.on('fetchcomplete', (url: string) => fetched.push(url));
crawler.on('complete', () => {
  const atComplete = fetched.length;
  setTimeout(() => report(atComplete), 150);
});
setImmediate(() => crawler.start());

function report(atComplete: number): void {
  console.log(`pages fetched before 'complete': ${atComplete}; queue now holds ${crawler.queue.items.length} item(s)`);
  if (atComplete === 0) {
    console.log("BUG: 'complete' was emitted before the initial URL was in the queue");
    process.exitCode = 1;
  } else {
    console.log('OK: the crawl started from the initial URL');
  }
}
