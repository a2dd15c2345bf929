// The scenarios train LightGBM models on real data, start child processes and kill them, and run hosts on
// fake clocks; run one at a time so that each has the machine's cores and no two native trainings overlap
// (a test host crashed once, without a message, while they ran side by side on 2 cores).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
