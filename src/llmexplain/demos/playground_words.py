"""Chapter 4's words and numbers: how the playground's state reads in the page.

Every function takes the values it speaks of, never the demo itself.

>>> shape_words([4, 2], 25), network_layers([1])
('Hidden layers: 4, 2. Weights and biases to learn: 25.', '1 hidden layer of 1 neuron')
"""

from .format import big, count, signed
from .format import loss as show_loss
from .playground_example import CLASS_NAMES, node_name
from .run import diverged_words, status_words


def loss_words(train_loss, test_loss):
    return f"training loss {show_loss(train_loss, 3)}, test loss {show_loss(test_loss, 3)}"


def shape_words(hidden, n_params):
    layers = ", ".join(str(n) for n in hidden) or "none"
    return f"Hidden layers: {layers}. Weights and biases to learn: {big(n_params)}."


def describe_example(x, y):
    """x [2], y (0 or 1): where the example is and its class."""
    return f"x₁ = {signed(x[0], 2)}, x₂ = {signed(x[1], 2)}, {CLASS_NAMES[y]}"


def diverged_text(epoch):
    return diverged_words(f"at epoch {epoch}", "The weights grew past a million, on their way "
                          "to numbers too large to compute with.")


def overshot_text(epoch, start, now):
    """Why a run stopped whose training loss climbed from `start` (untrained) to `now`."""
    return diverged_words(
        f"at epoch {epoch}",
        f"Each step jumped past the bottom of the valley and landed higher up the other side, "
        f"so the training loss grew instead of shrinking: from {show_loss(start, 3)} before "
        f"any training to {show_loss(now, 3)}, worse than a network that only guesses "
        f"(0.693).")


def status_text(run, epoch, stopped):
    """The status line of the training `run`, now at `epoch`; `stopped`: why it diverged."""
    if run.status == "diverged":
        return stopped
    return status_words(run, ready="Ready: the weights are random, so the network guesses.",
                        running="Training…", where="at", progress=f"epoch {int(epoch)}")


def notices(status, epoch, test, accuracy, history, own):
    """The bold lines above the plane and the loss curves: what to look for in them now.
    `test`: the test loss now (or None); `history`: (epoch, training, test loss) so far;
    `own`: how many of the points are the reader's."""
    if status == "diverged":
        plane = "The steps overshoot: the colours flip about instead of settling."
        curve = "The training loss climbed instead of falling."
    elif not history or epoch == 0:
        plane = ("The colours are the untrained network’s guesses: press Play and watch them "
                 "take the shape of the points.")
        curve = "Nothing trained yet: press Play or Step to draw the curves."
    else:
        follow = ("" if accuracy is None else " roughly" if 0.7 <= accuracy < 0.9 else
                  " do not yet" if accuracy < 0.7 else "")
        right = "" if accuracy is None else f": {signed(100 * accuracy, 0)}% of the test points right"
        plane = f"After {count(int(epoch), 'epoch')} the colours{follow} follow the points{right}."
        tests = [h[2] for h in history if h[2] is not None]
        if history[-1][1] > 0.9 * history[0][1]:
            curve = "The losses have hardly moved: the network has not found the shape yet."
        elif test is None:
            curve = "The training loss falls; there are no test points to check it on."
        elif len(tests) > 3 and min(tests) < 0.8 * test:
            curve = ("The test loss is rising while the training loss falls: it is memorising "
                     "its training points.")
        else:
            curve = "Both losses fall together: what it learns holds for points it never saw."
    if own:
        plane += f" {count(own, 'point')} of yours are in the data."
    return {"notice-plane": plane, "notice-curve": curve}


def network_layers(hidden):
    """'2 hidden layers of 4 and 2 neurons', '1 hidden layer of 1 neuron', 'no hidden layer'."""
    if not hidden:
        return "no hidden layer"
    sizes = [str(n) for n in hidden]
    sizes = " and ".join([", ".join(sizes[:-1]), sizes[-1]] if len(sizes) > 1 else sizes)
    return f"{count(len(hidden), 'hidden layer')} of {sizes} neuron{'' if hidden == [1] else 's'}"


def network_label(sizes, n_params, numbers):
    """The network drawing's accessible name (`sizes`: neurons per layer, inputs first), with
    the `numbers` it shows beside its nodes ((layer, neuron) -> lines)."""
    out = (f"The network: 2 inputs, {network_layers(list(sizes[1:-1]))}, and 1 output; "
           f"{big(n_params)} weights and biases. Each square shows what one neuron responds "
           f"to across the plane; each line is a weight, blue positive, orange negative, "
           f"thicker for larger.")
    if numbers:
        L = len(sizes) - 1
        out += " Beside the neurons: " + "; ".join(
            f"{node_name(l, i, L)}: {', '.join(lines)}"
            for (l, i), lines in sorted(numbers.items())) + "."
    return out
