// The API objects the dashboard reads (spec section 1), narrowed to the fields it uses. The
// server sends more; TypeScript only checks what is declared here.

export interface Envelope {
  Available?: boolean;
  Errors?: string[];
  Meta?: Record<string, string>;
}

export interface Machine extends Envelope {
  Uuid: string;
  Name: string;
  Workflow: string;
  Stage: string;
  BootEnv: string;
  Tasks: string[];
  CurrentTask: number;
  CurrentJob: string;
  Runnable: boolean;
  Locked: boolean;
  WorkflowComplete: boolean;
  Profiles: string[];
  Params: Record<string, unknown>;
  Context: string;
  Address?: string;
}

export type JobState = "created" | "running" | "failed" | "finished" | "incomplete";
export const JOB_STATES: JobState[] = ["created", "running", "incomplete", "failed", "finished"];

export interface Job extends Envelope {
  Uuid: string;
  Machine: string;
  Task: string;
  Stage: string;
  Workflow: string;
  BootEnv: string;
  State: JobState;
  ExitState: string;
  StartTime: string;
  EndTime: string;
  Current: boolean;
  CurrentIndex: number;
  Previous: string;
  Archived: boolean;
}

export interface Stage extends Envelope {
  Name: string;
  Description?: string;
  BootEnv: string;
  Tasks: string[];
  Params: Record<string, unknown>;
  Profiles: string[];
}

export interface Workflow extends Envelope {
  Name: string;
  Description?: string;
  Stages: string[];
}

export interface Profile extends Envelope {
  Name: string;
  Params: Record<string, unknown>;
  Profiles?: string[];
}

export interface ParamDef extends Envelope {
  Name: string;
  Secure?: boolean;
  Schema?: { default?: unknown } & Record<string, unknown>;
}

export interface JobAction {
  Name: string;
  Path: string;
  Content: string;
  Meta?: Record<string, string>;
}

export interface Claim {
  scope: string;
  action: string;
  specific: string;
}

// The body of every refusal (reply_error): {Model, Type, Key, Messages, Code}.
export interface ErrorBody {
  Code?: number;
  Type?: string;
  Model?: string;
  Key?: string;
  Messages?: string[];
}

// One event of the stream (spec 1.11).
export interface DrpEvent {
  Time: string;
  Type: string;
  Action: string;
  Key: string;
  Principal?: string;
  Object?: unknown;
  Original?: unknown;
}
