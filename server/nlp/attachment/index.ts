/** DocumentReference attachment → note text: the public surface of server/nlp/attachment. */
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_CHARS,
  loadNoteText,
  type BinaryLoader,
  type LoadNoteTextOptions,
  type NoteText,
} from './load-note-text';
export { binaryIdOf } from './attachment-bytes';
