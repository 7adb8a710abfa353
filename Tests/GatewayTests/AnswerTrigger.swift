import TestSupport

/// Fires an action (a signal to the server) from inside the bookkeeping of answers, so the counts it
/// was fired at are exact: at that moment `acknowledged` requests had a 201 and `outstanding` had been
/// issued and not yet answered. Timing-free, so a fast or a loaded machine cannot make it miss.
actor AnswerTrigger {
    let requests: Int
    let acknowledgedAtLeast: Int
    let outstandingAtLeast: Int
    let action: @Sendable () -> Void
    private var answered = 0
    private var acknowledged = 0
    /// The counts when the action ran; nil when the requests ran out before the condition held.
    private(set) var firedAt: (acknowledged: Int, outstanding: Int)?

    init(requests: Int, acknowledged: Int, outstanding: Int, action: @escaping @Sendable () -> Void) {
        self.requests = requests
        acknowledgedAtLeast = acknowledged
        outstandingAtLeast = outstanding
        self.action = action
    }

    func answered(_ reply: Reply?) {
        guard firedAt == nil else { return }
        answered += 1
        if reply?.status == 201 { acknowledged += 1 }
        let outstanding = requests - answered
        if acknowledged >= acknowledgedAtLeast && outstanding >= outstandingAtLeast {
            action()
            firedAt = (acknowledged, outstanding)
        }
    }
}
