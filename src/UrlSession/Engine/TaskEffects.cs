namespace UrlSessions;

/// <summary>What a legal move makes the task do besides changing its state.</summary>
[Flags]
internal enum TaskEffects
{
    /// <summary>Nothing more.</summary>
    None = 0,

    /// <summary>Run the pipeline now: the task never ran (a cancelled one still reports its completion).</summary>
    Start = 1,

    /// <summary>Let body reads and writes go on.</summary>
    OpenGate = 2,

    /// <summary>Stop body reads and writes.</summary>
    CloseGate = 4,

    /// <summary>The idle timeout stops counting (the user paused the task, the server did not stall).</summary>
    PauseTimeouts = 8,

    /// <summary>The idle timeout counts again, from now.</summary>
    ContinueTimeouts = 16,

    /// <summary>Record the stop reason and cancel everything the task waits on.</summary>
    Cancel = 32,
}
