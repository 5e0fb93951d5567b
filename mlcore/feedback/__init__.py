"""Feedback for the course's exercises: checks that name the misconception behind a wrong answer.

A test cell of an exercise notebook reads::

    from mlcore.feedback.chapter01 import check_mse
    check_mse(mse)

``chapter01`` ... ``chapter08`` gather the checks each notebook calls. They
live in one module per topic: ``regression_losses``, ``regression_gradients``
and ``best_constant`` (chapter 1); ``cross_entropy``, ``loss_choice`` and
``article_pairing`` (chapter 2); ``gradient_descent``, ``learning_rate``,
``minibatches``, ``schedules``, ``stopping`` and ``mutation`` (chapter 3);
``chain_rule``, ``numerical_gradients``, ``graph_order``, ``value_class`` and
``backward_rules`` (chapter 4); ``layer_gradients``, ``mlp_backward``
(through ``parts``), ``gradient_shapes``, ``deep_stack`` and ``accumulation``
(chapter 5); ``optimizer_steps``, ``optimizer_class``, ``momentum_tuning`` and
``optimizer_choice`` (chapter 6); ``training_loop``, ``splitting``,
``accuracy``, ``evaluation``, ``early_stopping``, ``curve_reading``,
``broken_loops`` and ``rate_choice`` (chapter 7); ``conv_layers``,
``convolution_loop``, ``pooling``, ``flattening``, ``article_network``,
``confusion`` and ``cnn_loss`` (chapter 8). Chapters 3 to 8 keep their cases
beside their checks; ``cases`` holds the inputs the checks of chapters 1-2 try
and ``reference`` computes the expected answers with mlcore.

Each ``check_*`` compares the learner's function with mlcore (its losses, and
its autograd for gradients) on small hand-picked cases. It prints one line
when all agree; otherwise it raises with the likely misconception and the
smallest failing case. Hidden tests call the same checks with more cases
(``cases=``), drawn from a seed by ``cases``. The comparison, the coercion of
results to float arrays and the fresh copies of the inputs are ``checks``'s.

Every check is registered, with a right answer and its misconceptions, in
``registry`` (``@exercise(...)`` above its definition); the tests read that
registry, so a new chapter's checks are tested as soon as they are registered.
How to add a check, and what a check may do so that mlcore-grade's referee
(which runs it outside the learner's kernel) gives the same verdict, is in
``mlcore/feedback/README.md``.
"""
