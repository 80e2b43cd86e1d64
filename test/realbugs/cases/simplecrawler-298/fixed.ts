// Fixed version of bug.ts (simplecrawler issue #298): the queue item is marked
// fetched only once its body is unzipped and its links are queued.
// Repository: https://github.com/simplecrawler/simplecrawler
// Issue: https://github.com/simplecrawler/simplecrawler/issues/298
// Fix: https://github.com/simplecrawler/simplecrawler/commit/39f806fa63c589cf3aca39e545c4a8ff8fc73cc8
import { EventEmitter } from 'node:events';

interface QueueItem { url: string; fetched: boolean; status: string }

/** The site: each page's links; bodies arrive gzipped and take a while to unzip. */
const site: Record<string, string[]> = {
  '/': ['/about', '/blog'],
  '/about': [],
  '/blog': ['/blog/first-post'],
  '/blog/first-post': [],
};

class Crawler extends EventEmitter {
  queue: QueueItem[] = [];
  inFlight = 0;
  loop: NodeJS.Timeout | null = null;

  start(url: string): void {
    this.queue.push({ url, fetched: false, status: 'queued' });
    this.loop = setInterval(() => this.crawl(), 5);
  }

  crawl(): void {
    if (this.queue.every((item) => item.fetched)) {
      clearInterval(this.loop!);
      this.emit('complete');
      return;
    }
    const next = this.queue.find((item) => item.status === 'queued');
    if (next && this.inFlight < 1) this.fetchQueueItem(next);
  }

  fetchQueueItem(item: QueueItem): void {
    item.status = 'spooled';
    this.inFlight++;
    setTimeout(() => this.handleResponse(item), 8);
  }

  handleResponse(item: QueueItem): void {
    item.status = 'headers';
    // unzip the body, then report the page and queue its links
    setTimeout(() => this.emitFetchComplete(item), 60);
  }

  emitFetchComplete(item: QueueItem): void {
    item.fetched = true;
    item.status = 'downloaded';
    this.inFlight--;
    this.emit('fetchcomplete', item.url);
    for (const link of site[item.url]) {
      if (!this.queue.some((q) => q.url === link)) this.queue.push({ url: link, fetched: false, status: 'queued' });
    }
  }
}

const crawler = new Crawler();
const seen: string[] = [];
let completeAt = -1;
crawler.on('fetchcomplete', (url: string) => seen.push(url));
crawler.on('complete', () => {
  completeAt = seen.length;
  setTimeout(report, 100);
});
setImmediate(() => crawler.start('/'));

function report(): void {
  console.log(`pages fetched before 'complete': ${seen.slice(0, completeAt).join(' ') || '(none)'}`);
  const missing = Object.keys(site).filter((url) => !seen.slice(0, completeAt).includes(url));
  if (completeAt < 0 || missing.length) {
    console.log(`BUG: 'complete' was emitted with pages not crawled: ${missing.join(' ')}`);
    process.exitCode = 1;
  } else {
    console.log('OK: every page was crawled before complete');
  }
}
