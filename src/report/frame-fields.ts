/**
 * Frame fields of the report: frame numbers are per input file, so with several inputs each frame
 * field gets a sibling naming its input, from one typed table (no field names built from strings).
 */
import type { FrameRef } from '../types';

/**
 * Each frame field of the report and the field beside it that names the frame's input file (see
 * the schema's InputIndex): with several inputs, `synFrame` gets `synInput`, `frame` gets `input`.
 */
export const inputFieldOf = {
  frame: 'input',
  startFrame: 'startInput',
  synFrame: 'synInput',
  synAckFrame: 'synAckInput',
  ackFrame: 'ackInput',
  endFrame: 'endInput',
  rstFrame: 'rstInput',
  replyFrame: 'replyInput',
  firstFrame: 'firstInput',
  lastFrame: 'lastInput',
  firstRetransmissionFrame: 'firstRetransmissionInput',
  fromFrame: 'fromInput',
  toFrame: 'toInput',
  sinceFrame: 'sinceInput',
} as const;

export type FrameField = keyof typeof inputFieldOf;

/** An object with the frame field F and, optionally, its input sibling. */
export type WithFrame<F extends FrameField> = { [K in F]: number | null } & { [K in (typeof inputFieldOf)[F]]?: number };

/** Frame numbers are per input file: with several inputs each frame field gets its input sibling. */
export class FrameFields {
  constructor(private readonly multipleInputs: boolean) {}

  add<F extends FrameField>(target: WithFrame<F>, field: F, ref: FrameRef | null): void {
    const fields = target as Record<FrameField | (typeof inputFieldOf)[FrameField], number | null | undefined>;
    fields[field] = ref ? ref.frame : null;
    if (this.multipleInputs && ref) fields[inputFieldOf[field]] = ref.input + 1;
  }
}
