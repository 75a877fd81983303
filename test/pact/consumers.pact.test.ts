import { articlesWebConsumer } from './articles-web.consumer.ts';
import { notesConsumers } from './notes.consumer.ts';
import { referenceWebConsumer } from './reference-web.consumer.ts';

// Every consumer test in one file: one process at a time runs pact mock servers. It is its own
// vitest project (`consumer-pacts`), run alone before the framework tests: pact-core 19's mock
// server, under CPU load, now and then reports a request it answered as "expected but not
// received" (pact-foundation/pact-reference#535). pact 16.2 (pact-core 18) avoided that, but its
// lock entries name platform packages that were never published, so `npm ci` refuses it.
referenceWebConsumer();
articlesWebConsumer();
notesConsumers();
