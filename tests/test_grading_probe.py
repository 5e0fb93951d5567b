"""mlcore.grading.probe, the kernel's side of the referee, called here in-process.

A call runs the learner's function on the arguments the referee sent and
answers with data: a generator it returns is run to its end first, so that
what it does to its arguments is reported; a numpy Generator it draws from is
reported as changed; and a driver runs a class the check cannot call itself.
"""

import functools

import numpy as np

from mlcore.feedback import optimizer_steps, value_class
from mlcore.feedback.deep_stack import StackProblem, norms_of, reference_layer_gradient_norms, reference_norms
from mlcore.grading import probe, wire


def call(function, *args, driver=None):
    """The probe's response to one call of ``function(*args)``, as the referee reads it."""
    number = max(probe._handles, default=0) + 1
    probe._handles[number] = function
    request = wire.dumps({"op": "call", "handle": number, "calls": [[list(args), {}]], "errstate": np.geterr(),
                          "driver": driver})
    (response,) = wire.loads(probe.answer(request))
    return response


def shuffled_in_place(X, batch_size, rng):
    order = rng.permutation(len(X))
    X[:] = X[order]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size]


def test_a_generator_is_run_out_and_its_changes_to_the_arguments_are_reported():
    response = call(shuffled_in_place, np.arange(5.0), 2, np.random.default_rng(3))
    iterated = response["result"]
    order = np.random.default_rng(3).permutation(5)
    assert isinstance(iterated, wire.Iterated) and iterated.type_name == "generator" and iterated.raised is None
    np.testing.assert_array_equal(np.concatenate(iterated.items), order)
    np.testing.assert_array_equal(response["mutated"]["0"], order)
    # The generator drew from the rng: its new state comes back, so the referee's copy draws on as it would.
    drawn = np.random.default_rng(3)
    drawn.permutation(5)
    assert response["mutated"]["2"].random() == drawn.random()
    assert "1" not in response["mutated"]


def test_what_a_generator_raises_midway_ends_its_items():
    def two_then_broken():
        yield 1.0
        yield 2.0
        raise KeyError("y")

    iterated = call(two_then_broken)["result"]
    assert iterated.items == [1.0, 2.0] and iterated.raised.type_name == "KeyError"


def test_an_endless_generator_is_read_up_to_the_limit():
    def endless():
        while True:
            yield 0

    iterated = call(endless)["result"]
    assert len(iterated.items) == wire.MAX_ITEMS
    assert iterated.raised.message == f"the grader reads at most {wire.MAX_ITEMS} items of an iterator"


def test_a_driver_runs_a_class_on_data_and_only_its_numbers_come_back():
    program = value_class.PROGRAMS[3]
    response = call(value_class.MicroValue, program, driver=value_class.gradients_by)
    np.testing.assert_allclose(response["result"], value_class.reference_gradients(program), rtol=1e-12)
    assert response["mutated"] == {}


def test_a_driver_with_keyword_settings_runs_hundreds_of_steps_in_one_call():
    driver = functools.partial(optimizer_steps.trajectory, states=1)
    case = optimizer_steps.MOMENTUM_CASES[2]
    response = call(optimizer_steps.momentum_step, *case, driver=driver)
    assert response["result"].shape == (101, 2)
    np.testing.assert_allclose(response["result"], optimizer_steps.reference_momentum(*case), rtol=1e-12)


def test_a_case_that_describes_a_network_is_built_by_the_driver_in_the_kernel():
    problem = StackProblem(3, "sigmoid", "xavier", seed=602, used=True)
    response = call(reference_layer_gradient_norms, problem, driver=norms_of)
    np.testing.assert_allclose(response["result"], reference_norms(problem), rtol=1e-12)
