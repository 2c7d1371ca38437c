/** Where the emulator writes its log lines (each already free of keys and tokens). */
export type EmulatorLogger = (line: string) => void;
