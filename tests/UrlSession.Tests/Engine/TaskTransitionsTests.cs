namespace UrlSessions.Tests.Engine;

public sealed class TaskTransitionsTests
{
    private const TaskEffects Start = TaskEffects.Start;
    private const TaskEffects Open = TaskEffects.OpenGate;
    private const TaskEffects Cancel = TaskEffects.Cancel;

    /// <summary>Every legal move, written out; any (state, move) pair not here must change nothing.</summary>
    private static readonly Dictionary<(TaskState From, TaskMove Move), (TaskState To, TaskEffects Effects)> Legal = new()
    {
        [(TaskState.Created, TaskMove.Resume)] = (TaskState.Running, Start | Open),
        [(TaskState.Suspended, TaskMove.Resume)] = (TaskState.Running, Open | TaskEffects.ContinueTimeouts),
        [(TaskState.Running, TaskMove.Suspend)] = (TaskState.Suspended, TaskEffects.CloseGate | TaskEffects.PauseTimeouts),
        [(TaskState.Created, TaskMove.Stop)] = (TaskState.Canceling, Start | Cancel | Open),
        [(TaskState.Running, TaskMove.Stop)] = (TaskState.Canceling, Cancel | Open),
        [(TaskState.Suspended, TaskMove.Stop)] = (TaskState.Canceling, Cancel | Open),
        [(TaskState.Created, TaskMove.StopIfSuspended)] = (TaskState.Canceling, Start | Cancel | Open),
        [(TaskState.Suspended, TaskMove.StopIfSuspended)] = (TaskState.Canceling, Cancel | Open),
        [(TaskState.Created, TaskMove.Adopt)] = (TaskState.Running, Open),
        [(TaskState.Running, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
        [(TaskState.Suspended, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
        [(TaskState.Canceling, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
    };

    // The engine's enums are internal: the theory's rows carry their names.
    public static TheoryData<string, string> EveryPair()
    {
        var data = new TheoryData<string, string>();
        foreach (var state in Enum.GetValues<TaskState>())
        {
            foreach (var move in Enum.GetValues<TaskMove>())
            {
                data.Add(state.ToString(), move.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_state_and_move_does_what_the_table_says_and_an_illegal_move_is_a_no_op(string fromName, string moveName)
    {
        var from = Enum.Parse<TaskState>(fromName);
        var move = Enum.Parse<TaskMove>(moveName);
        var legal = TaskTransitions.TryMove(from, move, out var to, out var effects);

        if (Legal.TryGetValue((from, move), out var expected))
        {
            legal.Should().BeTrue();
            to.Should().Be(expected.To);
            effects.Should().Be(expected.Effects);
        }
        else
        {
            legal.Should().BeFalse();
            to.Should().Be(from);
            effects.Should().Be(TaskEffects.None);
        }
    }

    [Fact]
    public void Only_a_task_that_never_ran_starts_and_nothing_leaves_Completed()
    {
        foreach (var move in Enum.GetValues<TaskMove>())
        {
            TaskTransitions.TryMove(TaskState.Completed, move, out _, out _).Should().BeFalse();
            foreach (var state in Enum.GetValues<TaskState>().Where(s => s != TaskState.Created))
            {
                TaskTransitions.TryMove(state, move, out _, out var effects);
                (effects & TaskEffects.Start).Should().Be(TaskEffects.None);
            }
        }
    }

    [Theory]
    [InlineData("Created", SessionTaskState.Suspended)]
    [InlineData("Suspended", SessionTaskState.Suspended)]
    [InlineData("Running", SessionTaskState.Running)]
    [InlineData("Canceling", SessionTaskState.Canceling)]
    [InlineData("Completed", SessionTaskState.Completed)]
    public void The_public_state_hides_whether_a_suspended_task_ever_ran(string state, SessionTaskState shown) =>
        TaskTransitions.ToPublic(Enum.Parse<TaskState>(state)).Should().Be(shown);

    [Fact]
    public async Task A_task_follows_the_table_through_its_public_methods()
    {
        await using var session = new UrlSession(SessionConfiguration.Ephemeral);
        var task = session.CreateDataTask(new Uri("http://127.0.0.1:9/never"));

        task.Suspend();
        task.EngineState.Should().Be(TaskState.Created, "suspending a task that never ran changes nothing");
        task.Cancel();
        task.EngineState.Should().BeOneOf(TaskState.Canceling, TaskState.Completed);
        task.Resume();
        task.Suspend();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.EngineState.Should().Be(TaskState.Completed);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Resume();
        task.State.Should().Be(SessionTaskState.Completed);
    }
}
