import type { MnistLikeFormat } from './mnistLikeFormat.js';

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test 28×28 grey images of
 * Zalando articles in 10 classes. Address, sizes and MD5s of the `.gz` files are those of the official
 * README (github.com/zalandoresearch/fashion-mnist), the MD5s also those torchvision checks.
 */
export const FASHION_MNIST_FORMAT: MnistLikeFormat = {
  title: 'Fashion-MNIST',
  apiName: 'FashionMnist',
  cacheName: 'fashion-mnist',
  // The official bucket is served over plain http only; the MD5 check is what makes the bytes trusted.
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  files: {
    trainImages: { bytes: 26_421_880, md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
    trainLabels: { bytes: 29_515, md5: '25c81989df183df01b3e8a0aad5dffbe' },
    testImages: { bytes: 4_422_102, md5: 'bef4ecab320f06d8554ea6380940ec79' },
    testLabels: { bytes: 5_148, md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
  },
  classNames: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
};
