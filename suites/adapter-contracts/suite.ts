import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'adapter-contracts',
  title: 'Adapter contracts',
  promise:
    'Whatever the provider answers (malformed JSON of every shape, non-JSON, truncated, huge, 429/500, slow, hung), each provider-backed endpoint answers in time with a response that meets its contract, marked as a fallback when the provider failed, and writes nothing for the failed call.',
  // Scripting the provider to fail is fault injection: only for throw-away targets.
  kinds: ['ephemeral'],
  usesApi: true,
  // Each trial scripts the provider double for calls carrying its own marker only, and its time budget is the profile's answerWithinMs or three provider timeouts and 2 s.
  sharing: 'shared',
  notApplicable: (p) => {
    if (!p.adapters) return 'the profile has no adapters block (which endpoints call the provider, and their contracts)';
    if (!p.providerDouble && !p.launch?.providerDouble) {
      return 'the profile names no provider double: add launch.providerDouble (shipgate starts one for the launched system) or providerDouble.url / providerDouble.port';
    }
    return undefined;
  },
});
