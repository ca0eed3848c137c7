// The lesson pack a class engine serves at GET /_class/lessons (`serve --learners N
// --lessons DIR`): the instructor's own lessons, checked and archived once when serve
// starts (lessons/pack-archive.ts), and sent as they are to any class member who asks.
import type { Engine } from './engine.js';

const served = new WeakMap<Engine, unknown>();

export function serveLessonPack(engine: Engine, archive: unknown): void {
  served.set(engine, archive);
}

/** The archive this engine serves, or undefined when it serves no lessons of its own. */
export function servedLessonPack(engine: Engine): unknown {
  return served.get(engine);
}
