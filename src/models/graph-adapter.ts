/**
 * A TF.js graph model as a frozen feature extractor: one weightless Layers layer whose call runs the
 * graph. The engine then treats it like any backbone — its output is cached once per image as the
 * frozen prefix, and only the new head trains. Graph weights are constants: they cannot train.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

export const GRAPH_LAYER_CLASS = 'StudioGraphFeatures';
export const GRAPH_LAYER_NAME = 'graph_model';

/** Graph models by key: the layer's config names its graph, so a rebuilt copy finds the same one. */
const graphs = new Map<string, tfTypes.GraphModel>();
let registered: ReturnType<typeof defineGraphLayer> | null = null;

export interface GraphBackbone {
  model: tfTypes.LayersModel;
  /** Values in the graph's weights (constants). */
  params: number;
  /** The graph's own input side, or null when it takes any size. */
  graphInputSize: number | null;
}

interface GraphLayerConfig {
  graphKey: string;
  graphInputSize: number | null;
  name?: string;
}

function defineGraphLayer(tf: Tf) {
  class GraphFeatures extends tf.layers.Layer {
    static readonly className = GRAPH_LAYER_CLASS;
    readonly graphKey: string;
    readonly graphInputSize: number | null;
    private readonly shapes = new Map<string, number[]>();

    constructor(config: GraphLayerConfig) {
      super({ name: config.name ?? GRAPH_LAYER_NAME, trainable: false });
      this.graphKey = config.graphKey;
      this.graphInputSize = config.graphInputSize;
    }

    private graph(): tfTypes.GraphModel {
      const g = graphs.get(this.graphKey);
      if (!g) throw new Error(`graph model ${this.graphKey} is no longer loaded`);
      return g;
    }

    private run(x: tfTypes.Tensor): tfTypes.Tensor {
      const s = this.graphInputSize;
      const input = s !== null && (x.shape[1] !== s || x.shape[2] !== s) ? tf.image.resizeBilinear(x as tfTypes.Tensor4D, [s, s]) : x;
      const out = this.graph().execute(input);
      return Array.isArray(out) ? (out[0] as tfTypes.Tensor) : out;
    }

    override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
      return tf.tidy(() => this.run(Array.isArray(inputs) ? (inputs[0] as tfTypes.Tensor) : inputs));
    }

    override computeOutputShape(inputShape: tfTypes.Shape | tfTypes.Shape[]): tfTypes.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
      const h = shape[1] ?? 224;
      const w = shape[2] ?? h;
      const key = `${h}x${w}`;
      let out = this.shapes.get(key);
      if (!out) {
        out = tf.tidy(() => this.run(tf.zeros([1, h, w, shape[3] ?? 3])).shape.slice(1));
        this.shapes.set(key, out);
      }
      return [null, ...out];
    }

    override getConfig(): tfTypes.serialization.ConfigDict {
      return { ...super.getConfig(), graphKey: this.graphKey, graphInputSize: this.graphInputSize };
    }
  }
  return GraphFeatures;
}

/** input(size×size×3) → graph_model: a LayersModel the engine can compose a head on. */
export function wrapGraphModel(tf: Tf, graph: tfTypes.GraphModel, key: string, inputSize: number): GraphBackbone {
  if (!registered) {
    registered = defineGraphLayer(tf);
    tf.serialization.registerClass(registered);
  }
  const Cls = registered;
  graphs.set(key, graph);
  const inShape = graph.inputs[0]?.shape ?? [];
  const side = inShape[1];
  const graphInputSize = typeof side === 'number' && side > 0 ? side : null;
  const size = graphInputSize ?? inputSize;
  const input = tf.input({ shape: [size, size, 3], name: 'input' });
  const out = new Cls({ graphKey: key, graphInputSize }).apply(input) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'graph_backbone' });
  const params = Object.values(graph.weights).reduce((s, ts) => s + ts.reduce((a, t) => a + t.size, 0), 0);
  return { model, params, graphInputSize };
}

/** Forgets and disposes a wrapped graph model. */
export function releaseGraph(key: string): void {
  graphs.get(key)?.dispose();
  graphs.delete(key);
}
