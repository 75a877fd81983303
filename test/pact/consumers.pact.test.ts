import { articlesWebConsumer } from './articles-web.consumer.ts';
import { notesConsumers } from './notes.consumer.ts';
import { referenceWebConsumer } from './reference-web.consumer.ts';

// Every consumer test in one file, so one process at a time runs pact mock servers: run from
// several vitest workers at once, a request now and then reached another process's mock server
// and the interaction failed as "expected but not received" (never seen with one process).
referenceWebConsumer();
articlesWebConsumer();
notesConsumers();
